<?php

namespace Drush\Commands;

/**
 * Stand-in of Drush's DrushCommands base class.
 */
abstract class DrushCommands {

  public function __construct() {
  }

}
