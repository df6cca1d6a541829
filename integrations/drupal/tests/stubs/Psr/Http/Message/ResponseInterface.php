<?php

namespace Psr\Http\Message;

/**
 * Stand-in of PSR-7's ResponseInterface: what the connector reads.
 */
interface ResponseInterface {

  public function getStatusCode(): int;

  public function getBody();

}
