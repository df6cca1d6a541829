<?php

namespace Drupal\Core\Extension;

/**
 * Stand-in of core's ExtensionList: getList() gives Extension objects by name.
 */
abstract class ExtensionList {

  abstract public function getList();

}
