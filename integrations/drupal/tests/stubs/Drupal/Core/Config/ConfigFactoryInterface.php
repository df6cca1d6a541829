<?php

namespace Drupal\Core\Config;

/**
 * Stand-in of core's ConfigFactoryInterface: get() gives an object with
 * get($key), getEditable() one with set($key, $value) and save() too.
 */
interface ConfigFactoryInterface {

  public function get($name);

  public function getEditable($name);

}
