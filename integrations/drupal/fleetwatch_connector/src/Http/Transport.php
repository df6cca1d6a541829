<?php

declare(strict_types=1);

namespace Drupal\fleetwatch_connector\Http;

/**
 * The one HTTP call the connector makes, so that the sender is tested
 * without a network: Drupal's http_client behind GuzzleTransport in the
 * module, PHP streams (StreamTransport) elsewhere.
 */
interface Transport {

  /**
   * Sends a request and returns the answer, whatever its status.
   *
   * @param string $method
   *   GET or POST.
   * @param string $url
   *   The absolute URL.
   * @param array<string, string> $headers
   *   The request headers.
   * @param string|null $body
   *   The body, or NULL.
   * @param float $timeout
   *   Seconds for the whole call.
   *
   * @return array{status: int, body: string}
   *   The status and body of the answer.
   *
   * @throws \Drupal\fleetwatch_connector\Http\TransportException
   *   When no answer came (connection refused, timeout, DNS).
   */
  public function send(string $method, string $url, array $headers, ?string $body, float $timeout): array;

}
