<?php

declare(strict_types=1);

namespace Drupal\fleetwatch_connector\Http;

/**
 * No answer came from Fleetwatch: it is down or unreachable.
 */
final class TransportException extends \RuntimeException {
}
