<?php

namespace Drupal\Core\Config;

/**
 * Stand-in of core's TypedConfigManagerInterface (passed through only).
 */
interface TypedConfigManagerInterface {
}
