<?php

namespace Drupal\Core\State;

/**
 * Stand-in of core's StateInterface: the methods the connector calls.
 */
interface StateInterface {

  public function get($key, $default = NULL);

  public function set($key, $value);

  public function delete($key);

}
