<?php

namespace Drupal\Core\Form;

/**
 * Stand-in of core's FormStateInterface: the methods the form calls.
 */
interface FormStateInterface {

  public function getValue($key, $default = NULL);

  public function setErrorByName($name, $message = '');

}
