<?php

/**
 * @file
 * Loads the connectors' classes and the stand-ins of the Drupal, Guzzle,
 * PSR and Drush interfaces they use (tests/stubs/), without Drupal.
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
  $prefix = 'Drupal\\fleetwatch_connector\\';
  $tests = 'Drupal\\Tests\\fleetwatch_connector\\';
  if (str_starts_with($class, $prefix)) {
    $file = __DIR__ . '/../fleetwatch_connector/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
  }
  elseif (str_starts_with($class, $tests)) {
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($tests))) . '.php';
  }
  else {
    $file = __DIR__ . '/stubs/' . str_replace('\\', '/', $class) . '.php';
  }
  if (is_file($file)) {
    require_once $file;
  }
});

// The Drupal 7 connector's plain functions and classes (its includes, not
// its hooks, which need Drupal 7's API).
foreach (glob(__DIR__ . '/../fleetwatch_connector_d7/includes/*.inc') ?: [] as $file) {
  require_once $file;
}
require_once __DIR__ . '/fakes.php';
