<?php

declare(strict_types=1);

namespace Drupal\fleetwatch_connector\Http;

/**
 * Transport over PHP's own HTTP streams: for scripts run outside Drupal
 * (the contract test, a cron job without Drupal's container).
 */
final class StreamTransport implements Transport {

  /**
   * {@inheritdoc}
   */
  public function send(string $method, string $url, array $headers, ?string $body, float $timeout): array {
    $lines = [];
    foreach ($headers as $name => $value) {
      $lines[] = $name . ': ' . $value;
    }
    $http = ['method' => $method, 'header' => implode("\r\n", $lines), 'timeout' => $timeout, 'ignore_errors' => TRUE, 'follow_location' => 0];
    if ($body !== NULL) {
      $http['content'] = $body;
    }
    $context = stream_context_create(['http' => $http]);
    $error = '';
    set_error_handler(static function (int $no, string $message) use (&$error): bool {
      $error = $message;
      return TRUE;
    });
    try {
      $stream = fopen($url, 'rb', FALSE, $context);
      if ($stream === FALSE) {
        throw new TransportException($error !== '' ? $error : 'no answer from ' . $url);
      }
      $content = (string) stream_get_contents($stream);
      $meta = stream_get_meta_data($stream);
      fclose($stream);
    }
    finally {
      restore_error_handler();
    }
    $status = 0;
    foreach ($meta['wrapper_data'] ?? [] as $line) {
      if (preg_match('~^HTTP/\S+\s+(\d{3})~', (string) $line, $m)) {
        $status = (int) $m[1];
      }
    }
    if ($status === 0) {
      throw new TransportException('no HTTP status from ' . $url);
    }
    return ['status' => $status, 'body' => $content];
  }

}
