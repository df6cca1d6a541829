<?php

namespace Drupal\Core\Site;

/**
 * Stand-in of core's Settings: the read-only settings.php array.
 */
final class Settings {

  private static ?Settings $instance = NULL;

  public function __construct(private array $storage) {
    self::$instance = $this;
  }

  public static function get($name, $default = NULL) {
    return self::$instance->storage[$name] ?? $default;
  }

}
