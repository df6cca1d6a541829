<?php

namespace GuzzleHttp;

use Psr\Http\Message\ResponseInterface;

/**
 * Stand-in of Guzzle's ClientInterface: request() only.
 */
interface ClientInterface {

  public function request(string $method, $uri, array $options = []): ResponseInterface;

}
