<?php

namespace Drupal\Component\Datetime;

/**
 * Stand-in of core's TimeInterface.
 */
interface TimeInterface {

  public function getRequestTime();

  public function getCurrentTime();

}
