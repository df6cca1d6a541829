<?php

/**
 * @file
 * A stand-in Drupal site for trying the connector by hand without Drupal:
 * the module's Connector (the service hook_cron, drush fleetwatch:push and
 * the status report call) over file-backed State, configuration and
 * settings.php, with the extensions of a fixture, HTTP over PHP streams.
 *
 * php site.php DIR configure SERVER_URL   (the settings form's server URL)
 * php site.php DIR settings-key KEY       ($settings['fleetwatch_connector']['key'])
 * php site.php DIR cron                   (hook_cron)
 * php site.php DIR push [--dry-run]       (drush fleetwatch:push)
 * php site.php DIR status                 (the status report's lines)
 *
 * DIR holds state.json, config.json, settings.json; the site's extensions
 * come from FLEETWATCH_EXTENSIONS (a tests/fixtures/extensions file).
 */

declare(strict_types=1);

namespace Drupal\Tests\fleetwatch_connector;

use Drupal\Core\Extension\Extension;
use Drupal\Core\Extension\ExtensionList;
use Drupal\Core\Site\Settings;
use Drupal\fleetwatch_connector\Connector;
use Drupal\fleetwatch_connector\Drush\Commands\FleetwatchCommands;
use Drupal\fleetwatch_connector\ExtensionInventory;
use Drupal\fleetwatch_connector\Http\StreamTransport;

require __DIR__ . '/../bootstrap.php';

[$dir, $command] = [$argv[1] ?? '', $argv[2] ?? ''];
if ($dir === '' || $command === '') {
  fwrite(STDERR, "usage: php site.php DIR configure URL | settings-key KEY | cron | push [--dry-run] | status\n");
  exit(2);
}
@mkdir($dir, 0700, TRUE);
$load = static fn(string $name): array => is_file("$dir/$name.json") ? json_decode((string) file_get_contents("$dir/$name.json"), TRUE) : [];
$save = static fn(string $name, array $data) => file_put_contents("$dir/$name.json", json_encode($data, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");

switch ($command) {
  case 'configure':
    $save('config', ['server_url' => $argv[3], 'interval' => 3600, 'send_composer_lock' => FALSE]);
    exit(0);

  case 'settings-key':
    $save('settings', ['fleetwatch_connector' => ['key' => $argv[3]]]);
    exit(0);
}

new Settings($load('settings'));
$state = new FakeState();
$state->data = $load('state');
$config = new FakeConfigFactory();
$config->configs[Connector::CONFIG] = $load('config');
$fixture = json_decode((string) file_get_contents((string) getenv('FLEETWATCH_EXTENSIONS')), TRUE);
$list = new class($fixture['extensions']) extends ExtensionList {

  public function __construct(private array $extensions) {
  }

  public function getList() {
    $out = [];
    foreach ($this->extensions as $e) {
      $ext = new Extension($e['type'], $e['name']);
      $ext->info = $e['info'];
      $ext->status = $e['status'] ? 1 : 0;
      $ext->origin = $e['origin'] ?? '';
      $out[$e['name']] = $ext;
    }
    return $out;
  }

};
$logger = new FakeLogger();
$connector = new Connector($config, $state, new FakeTime(time()), $logger, new StreamTransport(),
  new ExtensionInventory([$list], $fixture['site']['profile'], $fixture['site']['core_version']), $dir);

$code = 0;
switch ($command) {
  case 'cron':
    echo $connector->cron() ? "cron: pushed\n" : "cron: nothing to do\n";
    break;

  case 'push':
    $code = FleetwatchCommands::run($connector, in_array('--dry-run', $argv, TRUE), static function (string $s): void {
      echo $s, "\n";
    });
    break;

  case 'status':
    foreach ($connector->requirements() as $r) {
      printf("%s: %s [severity %d]\n  %s\n", $r['title'], $r['value'], $r['severity'], $r['description']);
    }
    break;
}
foreach ($logger->records as [$level, $message]) {
  echo "log $level: $message\n";
}
$save('state', $state->data);
exit($code);
