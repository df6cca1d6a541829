<?php

declare(strict_types=1);

namespace Drupal\fleetwatch_connector\Drush\Commands;

use Drupal\fleetwatch_connector\Connector;
use Drush\Attributes as CLI;
use Drush\Commands\DrushCommands;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * drush fleetwatch:push.
 */
class FleetwatchCommands extends DrushCommands {

  public function __construct(private readonly Connector $connector) {
    parent::__construct();
  }

  /**
   * Drush 12+ builds the command with this (drush.services.yml for older).
   */
  public static function create(ContainerInterface $container): self {
    return new self($container->get('fleetwatch_connector.connector'));
  }

  /**
   * Pushes the inventory to Fleetwatch now, whatever the cron interval.
   */
  #[CLI\Command(name: 'fleetwatch:push')]
  #[CLI\Option(name: 'dry-run', description: 'Print the payload as JSON; send nothing.')]
  #[CLI\Usage(name: 'drush fleetwatch:push --dry-run', description: 'Show what would be sent.')]
  public function push(array $options = ['dry-run' => FALSE]): int {
    return self::run($this->connector, !empty($options['dry-run']), fn(string $s) => $this->output()->writeln($s));
  }

  /**
   * The command's work, apart from Drush: prints through $print, returns
   * the exit code (0 when the push was accepted).
   */
  public static function run(Connector $connector, bool $dryRun, callable $print): int {
    if ($dryRun) {
      $print(json_encode($connector->payload(), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE));
      return 0;
    }
    if ($connector->key() === '' || $connector->serverUrl() === '') {
      $print('Fleetwatch is not configured: set the server URL and site key at /admin/config/services/fleetwatch or in settings.php.');
      return 1;
    }
    $outcome = $connector->push();
    if ($outcome['ok']) {
      $print(sprintf('Pushed %d projects (%s) to %s: %s%s.', $outcome['modules'], $outcome['kind'], $connector->serverUrl(),
        $outcome['id'], $outcome['duplicate'] ? ', a repeat of the push before' : ''));
      return 0;
    }
    $print($outcome['message']);
    return 1;
  }

}
