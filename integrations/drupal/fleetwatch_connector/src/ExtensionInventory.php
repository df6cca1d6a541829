<?php

declare(strict_types=1);

namespace Drupal\fleetwatch_connector;

use Drupal\Core\Extension\ExtensionList;

/**
 * Reads the site's extensions from Drupal's extension lists (modules,
 * themes, profiles), as the arrays PayloadBuilder takes.
 */
class ExtensionInventory {

  /**
   * @param \Drupal\Core\Extension\ExtensionList[] $lists
   *   The module, theme and profile extension lists.
   * @param string $profile
   *   The install profile (the install_profile container parameter).
   * @param string $coreVersion
   *   Drupal's version (\Drupal::VERSION).
   */
  public function __construct(
    private readonly array $lists,
    private readonly string $profile,
    private readonly string $coreVersion,
  ) {
  }

  /**
   * Builds the service from the container's extension lists.
   */
  public static function fromLists(ExtensionList $modules, ExtensionList $themes, ExtensionList $profiles, ?string $profile): self {
    return new self([$modules, $themes, $profiles], (string) $profile, \Drupal::VERSION);
  }

  /**
   * The extensions every list knows, installed or not.
   *
   * @return array
   *   One array per extension: name, type, status, origin, info.
   */
  public function extensions(): array {
    $out = [];
    foreach ($this->lists as $list) {
      foreach ($list->getList() as $name => $ext) {
        $out[] = [
          'name' => (string) $name,
          'type' => $ext->getType(),
          'status' => !empty($ext->status),
          'origin' => (string) ($ext->origin ?? ''),
          'info' => is_array($ext->info ?? NULL) ? $ext->info : [],
        ];
      }
    }
    return $out;
  }

  /**
   * The site facts of the payload.
   */
  public function site(): array {
    return ['core_version' => $this->coreVersion, 'php_version' => PHP_VERSION, 'profile' => $this->profile];
  }

}
