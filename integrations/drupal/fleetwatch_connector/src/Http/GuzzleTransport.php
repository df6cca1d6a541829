<?php

declare(strict_types=1);

namespace Drupal\fleetwatch_connector\Http;

use GuzzleHttp\ClientInterface;

/**
 * Transport over Drupal's http_client service (Guzzle).
 */
final class GuzzleTransport implements Transport {

  public function __construct(private readonly ClientInterface $client) {
  }

  /**
   * {@inheritdoc}
   */
  public function send(string $method, string $url, array $headers, ?string $body, float $timeout): array {
    $options = ['headers' => $headers, 'timeout' => $timeout, 'connect_timeout' => min($timeout, 10.0), 'http_errors' => FALSE, 'allow_redirects' => FALSE];
    if ($body !== NULL) {
      $options['body'] = $body;
    }
    try {
      $response = $this->client->request($method, $url, $options);
    }
    catch (\Throwable $e) {
      throw new TransportException($e->getMessage(), 0, $e);
    }
    return ['status' => $response->getStatusCode(), 'body' => (string) $response->getBody()];
  }

}
