<?php

declare(strict_types=1);

namespace Drupal\fleetwatch_connector;

use Drupal\fleetwatch_connector\Http\Transport;
use Drupal\fleetwatch_connector\Http\TransportException;

/**
 * Talks to Fleetwatch's ingest API with a site key.
 *
 * It never throws: every call returns a result array that says what
 * happened, so that cron goes on when Fleetwatch is down or refuses.
 */
final class Sender {

  /**
   * Seconds a call may take; cron must not hang on a slow server.
   */
  public const DEFAULT_TIMEOUT = 15.0;

  public function __construct(
    private readonly Transport $transport,
    private readonly string $serverUrl,
    private readonly string $key,
    private readonly float $timeout = self::DEFAULT_TIMEOUT,
    private readonly string $userAgent = 'fleetwatch_connector',
  ) {
  }

  /**
   * Pushes an inventory payload (POST /api/v1/ingest/inventory).
   *
   * @return array
   *   See result().
   */
  public function pushInventory(array $payload): array {
    $body = json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    return $this->call('POST', '/api/v1/ingest/inventory', $body === FALSE ? '' : $body);
  }

  /**
   * Pushes a scrubbed composer.lock (POST /api/v1/ingest/composer-lock).
   */
  public function pushComposerLock(string $lockJson, string $snapshotId): array {
    return $this->call('POST', '/api/v1/ingest/composer-lock?snapshot_id=' . rawurlencode($snapshotId), $lockJson);
  }

  /**
   * Reads what Fleetwatch sees outstanding for this site
   * (GET /api/v1/ingest/standing).
   */
  public function standing(): array {
    return $this->call('GET', '/api/v1/ingest/standing', NULL);
  }

  /**
   * Makes one call.
   *
   * @return array
   *   'ok' (a 2xx came), 'status' (0 when no answer came), 'data' (the
   *   answer's data), 'duplicate' (the push was a repeat), 'error' (what
   *   went wrong, with Fleetwatch's error detail; '' when ok).
   */
  private function call(string $method, string $path, ?string $body): array {
    $headers = [
      'Authorization' => 'Bearer ' . $this->key,
      'Accept' => 'application/json',
      'User-Agent' => $this->userAgent,
    ];
    if ($body !== NULL) {
      $headers['Content-Type'] = 'application/json';
    }
    $url = rtrim($this->serverUrl, '/') . $path;
    try {
      $answer = $this->transport->send($method, $url, $headers, $body, $this->timeout);
    }
    catch (TransportException $e) {
      return self::result(FALSE, 0, [], 'Fleetwatch did not answer: ' . $e->getMessage());
    }
    $status = (int) $answer['status'];
    $decoded = json_decode((string) $answer['body'], TRUE);
    $decoded = is_array($decoded) ? $decoded : [];
    if ($status >= 200 && $status < 300) {
      $data = is_array($decoded['data'] ?? NULL) ? $decoded['data'] : [];
      return self::result(TRUE, $status, $data, '');
    }
    return self::result(FALSE, $status, [], self::describe($status, $decoded));
  }

  /**
   * Words a refusal with the details of Fleetwatch's error shape.
   */
  public static function describe(int $status, array $answer): string {
    $details = [];
    foreach (is_array($answer['errors'] ?? NULL) ? $answer['errors'] : [] as $error) {
      if (!is_array($error)) {
        continue;
      }
      $detail = (string) ($error['detail'] ?? $error['title'] ?? '');
      $pointer = (string) ($error['source']['pointer'] ?? '');
      if ($detail !== '') {
        $details[] = $pointer !== '' ? $detail . ' (' . $pointer . ')' : $detail;
      }
      if (count($details) >= 5) {
        break;
      }
    }
    $what = match (TRUE) {
      $status === 401 => 'Fleetwatch refused the site key',
      $status === 403 => 'Fleetwatch forbade the call (is the key a site key, fwk_…?)',
      $status === 413 => 'Fleetwatch refused the payload as too large',
      $status === 422 || $status === 400 => 'Fleetwatch refused the payload',
      $status === 429 => 'Fleetwatch asked to slow down',
      $status >= 500 => 'Fleetwatch failed',
      default => 'Fleetwatch answered',
    };
    return sprintf('%s (HTTP %d)%s', $what, $status, $details ? ': ' . implode('; ', $details) : '.');
  }

  private static function result(bool $ok, int $status, array $data, string $error): array {
    return ['ok' => $ok, 'status' => $status, 'data' => $data, 'duplicate' => !empty($data['duplicate']), 'error' => $error];
  }

}
