<?php

declare(strict_types=1);

namespace Drupal\fleetwatch_connector;

/**
 * Builds Fleetwatch's inventory payload (its docs/architecture.md) from extension info.
 *
 * Plain PHP: it takes the extensions as arrays, so that it runs (and is
 * tested) without Drupal. Each extension is
 * ['name' => 'ctools_views', 'type' => 'module', 'status' => TRUE,
 *  'origin' => 'core'|'', 'info' => [the parsed .info.yml]], the info holding
 * 'project', 'version' and 'datestamp' as drupal.org's packaging writes them.
 *
 * Extensions are folded into projects as core's update module does
 * (ProjectInfo::processInfoList): the project is info['project'], "drupal"
 * for core's own extensions; sub-modules count toward their project, which
 * is enabled when any of its extensions is. An extension without a project
 * outside core is custom code: it is reported under its own name with
 * source "custom" (Fleetwatch tracks it, never looks it up on drupal.org).
 */
final class PayloadBuilder {

  /**
   * The version reported for custom code whose info file has none.
   */
  public const UNVERSIONED = 'unversioned';

  /**
   * Builds the payload.
   *
   * @param array $extensions
   *   The extensions, as the class comment describes.
   * @param array $site
   *   'core_version', 'php_version', 'profile'; optionally 'collected_at' (a
   *   unix time) and 'previous_snapshot_id' (the id of the last push the
   *   server accepted, see snapshotId()).
   *
   * @return array
   *   The payload, ready for json_encode().
   */
  public function build(array $extensions, array $site): array {
    $projects = [];
    foreach ($extensions as $ext) {
      $name = (string) ($ext['name'] ?? '');
      if ($name === '') {
        continue;
      }
      $info = $ext['info'] ?? [];
      // Update module skips hidden extensions (test modules) unless enabled.
      $enabled = !empty($ext['status']);
      if (!empty($info['hidden']) && !$enabled) {
        continue;
      }
      $type = $this->type((string) ($ext['type'] ?? 'module'));
      $project = $this->projectName($ext);
      $source = NULL;
      if ($project === '') {
        $project = $name;
        $source = 'custom';
      }
      if ($project === 'drupal') {
        $type = 'core';
      }
      $version = isset($info['version']) ? trim((string) $info['version']) : '';
      if ($project === 'drupal' && !empty($site['core_version'])) {
        $version = (string) $site['core_version'];
      }
      if ($version === '' && $source === 'custom') {
        $version = self::UNVERSIONED;
      }
      $entry = ['name' => $project, 'type' => $type, 'version' => $version];
      if (!empty($info['datestamp']) && ctype_digit((string) $info['datestamp']) && $project !== 'drupal') {
        $entry['datestamp'] = (int) $info['datestamp'];
      }
      if ($source !== NULL) {
        $entry['source'] = $source;
      }
      $exact = $name === $project;
      if (!isset($projects[$project])) {
        $projects[$project] = ['entry' => $entry, 'exact' => $exact, 'enabled' => $enabled];
        continue;
      }
      $p = &$projects[$project];
      $p['enabled'] = $p['enabled'] || $enabled;
      // The project's version is that of its extension named like it (the
      // one Fleetwatch keeps too), else of its first one with a version.
      if (($exact && !$p['exact']) || ($p['entry']['version'] === '' && $version !== '')) {
        $p['entry'] = $entry;
        $p['exact'] = $exact;
      }
      unset($p);
    }
    if (!empty($site['core_version']) && !isset($projects['drupal'])) {
      $projects['drupal'] = ['entry' => ['name' => 'drupal', 'type' => 'core', 'version' => (string) $site['core_version']], 'exact' => TRUE, 'enabled' => TRUE];
    }
    ksort($projects, SORT_STRING);
    $modules = [];
    foreach ($projects as $p) {
      if ($p['entry']['version'] === '') {
        // A git checkout of a drupal.org project: nothing to compare, and
        // Fleetwatch refuses an empty version.
        continue;
      }
      $m = $p['entry'];
      if ($m['type'] !== 'core') {
        $m['enabled'] = $p['enabled'];
      }
      $modules[] = $m;
    }
    $drupal = array_filter([
      'core_version' => (string) ($site['core_version'] ?? ''),
      'php_version' => (string) ($site['php_version'] ?? ''),
      'profile' => (string) ($site['profile'] ?? ''),
    ], static fn(string $v): bool => $v !== '');
    $payload = [
      'snapshot_id' => '',
      'collected_at' => gmdate('Y-m-d\TH:i:s\Z', (int) ($site['collected_at'] ?? time())),
      'drupal' => (object) $drupal,
      'modules' => $modules,
    ];
    $payload['snapshot_id'] = self::snapshotId($payload, (string) ($site['previous_snapshot_id'] ?? ''));
    return $payload;
  }

  /**
   * The snapshot id of a payload: a hash of its content (not of when it was
   * collected) and of the last snapshot the server accepted.
   *
   * A retried push (the answer was lost, or the server was down) carries
   * the same id and is answered as a duplicate; the next push after an
   * accepted one gets a new id, so that an unchanged site still counts as
   * seen, and a site that returns to an earlier state is not mistaken for a
   * retry of it.
   */
  public static function snapshotId(array $payload, string $previous): string {
    $content = ['drupal' => (array) $payload['drupal'], 'modules' => $payload['modules'], 'previous' => $previous];
    ksort($content['drupal']);
    return 'fwc-' . hash('sha256', json_encode($content, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE));
  }

  /**
   * The project an extension belongs to, as core's update module reads it;
   * '' for custom code.
   */
  public function projectName(array $ext): string {
    $info = $ext['info'] ?? [];
    if (!empty($info['project'])) {
      return (string) $info['project'];
    }
    if (($ext['origin'] ?? '') === 'core') {
      return 'drupal';
    }
    return '';
  }

  private function type(string $type): string {
    return in_array($type, ['module', 'theme', 'profile', 'core'], TRUE) ? $type : 'module';
  }

}
