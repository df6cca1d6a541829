<?php

declare(strict_types=1);

namespace Drupal\fleetwatch_connector;

/**
 * Reduces a composer.lock to what Fleetwatch reads, before it leaves the site.
 *
 * An allowlist, not a blocklist: only the drupal/* packages are kept, each
 * with its name, version, type and extra.drupal (the drupal.org version,
 * datestamp and security coverage the packaging adds). Everything else —
 * dist and source URLs (which can carry deploy tokens), notification URLs,
 * transport options, authors, other vendors' packages (which can name
 * private code), plugin configuration — is dropped, so nothing
 * credential-like can pass. A URL with a user or password that is still
 * found in a kept string is reduced to its host and path.
 */
final class ComposerLockScrubber {

  /**
   * Scrubs a decoded composer.lock.
   *
   * @param array $lock
   *   The lock, as json_decode(..., TRUE) gives it.
   *
   * @return array
   *   The scrubbed lock: ['packages' => [...], 'packages-dev' => [...]].
   *
   * @throws \InvalidArgumentException
   *   When it has no drupal/* package: not the lock of a Drupal site.
   */
  public function scrub(array $lock): array {
    $out = [];
    $found = 0;
    foreach (['packages', 'packages-dev'] as $list) {
      $out[$list] = [];
      foreach (is_array($lock[$list] ?? NULL) ? $lock[$list] : [] as $package) {
        if (!is_array($package) || !is_string($package['name'] ?? NULL) || !str_starts_with($package['name'], 'drupal/')) {
          continue;
        }
        $kept = ['name' => $package['name']];
        foreach (['version', 'type'] as $key) {
          if (is_string($package[$key] ?? NULL)) {
            $kept[$key] = self::clean($package[$key]);
          }
        }
        $drupal = $package['extra']['drupal'] ?? NULL;
        if (is_array($drupal)) {
          $extra = [];
          foreach (['version', 'datestamp'] as $key) {
            if (is_scalar($drupal[$key] ?? NULL)) {
              $extra[$key] = self::clean((string) $drupal[$key]);
            }
          }
          if (is_string($drupal['security-coverage']['status'] ?? NULL)) {
            $extra['security-coverage'] = ['status' => self::clean($drupal['security-coverage']['status'])];
          }
          $kept['extra'] = ['drupal' => $extra];
        }
        $out[$list][] = $kept;
        $found++;
      }
    }
    if ($found === 0) {
      throw new \InvalidArgumentException('The composer.lock has no drupal/* packages.');
    }
    return $out;
  }

  /**
   * Reads, scrubs and encodes the composer.lock at $path.
   *
   * @return string|null
   *   The JSON to send; NULL when the file is missing or not a lock.
   */
  public function scrubFile(string $path): ?string {
    if (!is_file($path) || !is_readable($path)) {
      return NULL;
    }
    $lock = json_decode((string) file_get_contents($path), TRUE);
    if (!is_array($lock)) {
      return NULL;
    }
    try {
      return json_encode($this->scrub($lock), JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
    }
    catch (\InvalidArgumentException | \JsonException) {
      return NULL;
    }
  }

  /**
   * Removes credentials from a URL found in a string.
   */
  private static function clean(string $s): string {
    return (string) preg_replace('~([a-z][a-z0-9+.-]*://)[^/@\s]*@~i', '$1', $s);
  }

}
