<?php

namespace Symfony\Component\DependencyInjection;

/**
 * Stand-in of Symfony's ContainerInterface: get() only.
 */
interface ContainerInterface {

  public function get(string $id);

}
