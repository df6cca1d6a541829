<?php

/**
 * @file
 * Pushes an inventory as the connector does, outside Drupal: the module's
 * PayloadBuilder and Sender over PHP streams (StreamTransport). Used by
 * Fleetwatch's contract test (cmd/fleetwatch, TestDrupalConnector_Contract)
 * and usable by hand to try a server.
 *
 * php push.php --server URL --key fwk_… --extensions FILE
 *     [--previous SNAPSHOT_ID] [--dry-run] [--standing]
 *
 * FILE is {"site": {...}, "extensions": [...]} as tests/fixtures/convert.php
 * writes. Prints one JSON object: snapshot_id, modules (name => version),
 * push (the Sender's result), standing (with --standing).
 */

declare(strict_types=1);

use Drupal\fleetwatch_connector\Http\StreamTransport;
use Drupal\fleetwatch_connector\PayloadBuilder;
use Drupal\fleetwatch_connector\Sender;

spl_autoload_register(static function (string $class): void {
  $prefix = 'Drupal\\fleetwatch_connector\\';
  if (str_starts_with($class, $prefix)) {
    require __DIR__ . '/../../fleetwatch_connector/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
  }
});

$opts = getopt('', ['server:', 'key:', 'extensions:', 'previous:', 'dry-run', 'standing']);
if (empty($opts['extensions']) || (!isset($opts['dry-run']) && (empty($opts['server']) || empty($opts['key'])))) {
  fwrite(STDERR, "usage: php push.php --server URL --key fwk_… --extensions FILE [--previous ID] [--dry-run] [--standing]\n");
  exit(2);
}
$fixture = json_decode((string) file_get_contents($opts['extensions']), TRUE);
if (!is_array($fixture) || !isset($fixture['extensions'], $fixture['site'])) {
  fwrite(STDERR, "{$opts['extensions']}: not an extensions file\n");
  exit(2);
}
$payload = (new PayloadBuilder())->build($fixture['extensions'], $fixture['site'] + ['previous_snapshot_id' => (string) ($opts['previous'] ?? '')]);
if (isset($opts['dry-run'])) {
  echo json_encode($payload, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";
  exit(0);
}
$sender = new Sender(new StreamTransport(), $opts['server'], $opts['key'], 10.0, 'fleetwatch_connector contract test');
$out = [
  'snapshot_id' => $payload['snapshot_id'],
  'modules' => array_column($payload['modules'], 'version', 'name'),
  'push' => $sender->pushInventory($payload),
];
if (isset($opts['standing'])) {
  $out['standing'] = $sender->standing();
}
// An empty data is {} in JSON, as Fleetwatch's is.
foreach (['push', 'standing'] as $call) {
  if (isset($out[$call])) {
    $out[$call]['data'] = (object) $out[$call]['data'];
  }
}
echo json_encode($out, JSON_UNESCAPED_SLASHES), "\n";
exit($out['push']['ok'] ? 0 : 1);
