<?php

/**
 * @file
 * Fakes the tests inject: State, configuration, clock, logger, transport.
 */

declare(strict_types=1);

namespace Drupal\Tests\fleetwatch_connector;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\State\StateInterface;
use Drupal\fleetwatch_connector\Http\Transport;
use Drupal\fleetwatch_connector\Http\TransportException;
use Psr\Log\LoggerInterface;

final class FakeState implements StateInterface {

  public array $data = [];

  public function get($key, $default = NULL) {
    return $this->data[$key] ?? $default;
  }

  public function set($key, $value) {
    $this->data[$key] = $value;
  }

  public function delete($key) {
    unset($this->data[$key]);
  }

}

final class FakeConfig {

  public function __construct(public array $data) {
  }

  public function get($key) {
    return $this->data[$key] ?? NULL;
  }

}

final class FakeConfigFactory implements ConfigFactoryInterface {

  public array $configs = [];

  public function get($name) {
    return new FakeConfig($this->configs[$name] ?? []);
  }

  public function getEditable($name) {
    return new FakeEditableConfig($this, $name);
  }

}

final class FakeEditableConfig {

  private array $data;

  public function __construct(private FakeConfigFactory $factory, private string $name) {
    $this->data = $factory->configs[$name] ?? [];
  }

  public function get($key) {
    return $this->data[$key] ?? NULL;
  }

  public function set($key, $value): self {
    $this->data[$key] = $value;
    return $this;
  }

  public function save(): self {
    $this->factory->configs[$this->name] = $this->data;
    return $this;
  }

}

final class FakeFormState implements FormStateInterface {

  public array $errors = [];

  public function __construct(public array $values = []) {
  }

  public function getValue($key, $default = NULL) {
    return $this->values[$key] ?? $default;
  }

  public function setErrorByName($name, $message = '') {
    $this->errors[$name] = (string) $message;
    return $this;
  }

}

final class FakeTime implements TimeInterface {

  public function __construct(public int $now) {
  }

  public function getRequestTime() {
    return $this->now;
  }

  public function getCurrentTime() {
    return $this->now;
  }

}

final class FakeLogger implements LoggerInterface {

  /**
   * @var array<int, array{0: string, 1: string}>
   */
  public array $records = [];

  public function emergency(string|\Stringable $message, array $context = []): void {
    $this->log('emergency', $message, $context);
  }

  public function alert(string|\Stringable $message, array $context = []): void {
    $this->log('alert', $message, $context);
  }

  public function critical(string|\Stringable $message, array $context = []): void {
    $this->log('critical', $message, $context);
  }

  public function error(string|\Stringable $message, array $context = []): void {
    $this->log('error', $message, $context);
  }

  public function warning(string|\Stringable $message, array $context = []): void {
    $this->log('warning', $message, $context);
  }

  public function notice(string|\Stringable $message, array $context = []): void {
    $this->log('notice', $message, $context);
  }

  public function info(string|\Stringable $message, array $context = []): void {
    $this->log('info', $message, $context);
  }

  public function debug(string|\Stringable $message, array $context = []): void {
    $this->log('debug', $message, $context);
  }

  public function log($level, string|\Stringable $message, array $context = []): void {
    $this->records[] = [(string) $level, strtr((string) $message, $context)];
  }

}

/**
 * Answers each call from a queue of answers (or throws TransportException
 * for a NULL one) and records the calls.
 */
final class FakeTransport implements Transport {

  public array $calls = [];

  /**
   * @param array<int, array{status: int, body: string}|null> $answers
   */
  public function __construct(public array $answers = []) {
  }

  public function send(string $method, string $url, array $headers, ?string $body, float $timeout): array {
    $this->calls[] = compact('method', 'url', 'headers', 'body', 'timeout');
    $answer = array_shift($this->answers);
    if ($answer === NULL) {
      throw new TransportException('Connection refused');
    }
    return $answer;
  }

  public static function json(int $status, array $body): array {
    return ['status' => $status, 'body' => json_encode($body)];
  }

}
