<?php

namespace Drupal\Core\Config;

/**
 * Stand-in of core's ConfigFactoryInterface: get() gives an object with get($key).
 */
interface ConfigFactoryInterface {

  public function get($name);

}
