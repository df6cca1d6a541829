<?php

namespace Drupal\Core\Extension;

/**
 * Stand-in of core's Extension: type, and the public properties the
 * extension lists fill (info, status, origin).
 */
class Extension {

  public $info = [];
  public $status = 0;
  public $origin = '';

  public function __construct(private string $type, private string $name) {
  }

  public function getType() {
    return $this->type;
  }

  public function getName() {
    return $this->name;
  }

}
