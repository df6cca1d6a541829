<?php

declare(strict_types=1);

namespace Drupal\fleetwatch_connector;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Site\Settings;
use Drupal\Core\State\StateInterface;
use Drupal\fleetwatch_connector\Http\Transport;
use Psr\Log\LoggerInterface;

/**
 * Pushes the site's inventory to Fleetwatch and remembers how it went.
 *
 * The site key lives in settings.php ($settings['fleetwatch_connector']['key'],
 * which wins) or in State (set from the settings form): never in
 * configuration, which is exported and committed.
 */
class Connector {

  public const CONFIG = 'fleetwatch_connector.settings';
  public const STATE_KEY = 'fleetwatch_connector.key';
  public const STATE_LAST_PUSH = 'fleetwatch_connector.last_push';
  public const STATE_LAST_ACCEPTED = 'fleetwatch_connector.last_accepted_snapshot';
  public const STATE_LAST_LOGGED = 'fleetwatch_connector.last_logged_error';
  public const STATE_STANDING = 'fleetwatch_connector.standing';
  public const DEFAULT_INTERVAL = 3600;

  /**
   * Statuses that will not heal by themselves: logged as errors.
   */
  private const REFUSALS = [400, 401, 403, 413, 422];

  public function __construct(
    private readonly ConfigFactoryInterface $configFactory,
    private readonly StateInterface $state,
    private readonly TimeInterface $time,
    private readonly LoggerInterface $logger,
    private readonly Transport $transport,
    private readonly ExtensionInventory $inventory,
    private readonly string $appRoot,
    private readonly PayloadBuilder $builder = new PayloadBuilder(),
    private readonly ComposerLockScrubber $scrubber = new ComposerLockScrubber(),
  ) {
  }

  /**
   * The site key: settings.php's, else the one saved from the form.
   */
  public function key(): string {
    $settings = Settings::get('fleetwatch_connector', []);
    if (is_array($settings) && !empty($settings['key'])) {
      return (string) $settings['key'];
    }
    return (string) $this->state->get(self::STATE_KEY, '');
  }

  /**
   * Whether settings.php sets the key (the form then cannot change it).
   */
  public function keyFromSettings(): bool {
    $settings = Settings::get('fleetwatch_connector', []);
    return is_array($settings) && !empty($settings['key']);
  }

  /**
   * The server URL: settings.php's, else the configured one.
   */
  public function serverUrl(): string {
    $settings = Settings::get('fleetwatch_connector', []);
    if (is_array($settings) && !empty($settings['server_url'])) {
      return (string) $settings['server_url'];
    }
    return (string) $this->configFactory->get(self::CONFIG)->get('server_url');
  }

  public function interval(): int {
    $interval = (int) $this->configFactory->get(self::CONFIG)->get('interval');
    return $interval > 0 ? $interval : self::DEFAULT_INTERVAL;
  }

  public function sendsComposerLock(): bool {
    return (bool) $this->configFactory->get(self::CONFIG)->get('send_composer_lock');
  }

  /**
   * Runs on cron: pushes when the interval has passed since the last try.
   * Never throws: Fleetwatch being down must not fail the site's cron.
   *
   * @return bool
   *   Whether a push was attempted.
   */
  public function cron(): bool {
    try {
      if ($this->key() === '' || $this->serverUrl() === '') {
        return FALSE;
      }
      $last = $this->state->get(self::STATE_LAST_PUSH, []);
      $now = $this->time->getRequestTime();
      if (!empty($last['time']) && $now - (int) $last['time'] < $this->interval()) {
        return FALSE;
      }
      $this->push();
      return TRUE;
    }
    catch (\Throwable $e) {
      $this->logger->error('Fleetwatch push failed: @message', ['@message' => $e->getMessage()]);
      return FALSE;
    }
  }

  /**
   * The payload the next push sends.
   */
  public function payload(): array {
    $site = $this->inventory->site() + [
      'collected_at' => $this->time->getCurrentTime(),
      'previous_snapshot_id' => (string) $this->state->get(self::STATE_LAST_ACCEPTED, ''),
    ];
    return $this->builder->build($this->inventory->extensions(), $site);
  }

  /**
   * The scrubbed composer.lock the site was built with, when it sends one.
   */
  public function composerLock(): ?string {
    foreach ([$this->appRoot . '/composer.lock', dirname($this->appRoot) . '/composer.lock'] as $path) {
      $json = $this->scrubber->scrubFile($path);
      if ($json !== NULL) {
        return $json;
      }
    }
    return NULL;
  }

  /**
   * Pushes now, records the outcome in State, and reads the site's standing.
   *
   * @return array
   *   The outcome: time, ok, status, duplicate, id, snapshot_id, kind,
   *   message.
   */
  public function push(): array {
    $payload = $this->payload();
    $sender = new Sender($this->transport, $this->serverUrl(), $this->key());
    $kind = 'inventory';
    $lock = $this->sendsComposerLock() ? $this->composerLock() : NULL;
    if ($lock !== NULL) {
      // One snapshot per push: a lock replaces the inventory (see README).
      $kind = 'composer.lock';
      $payload['snapshot_id'] = PayloadBuilder::snapshotId(['drupal' => [], 'modules' => [$lock]], (string) $this->state->get(self::STATE_LAST_ACCEPTED, ''));
      $result = $sender->pushComposerLock($lock, $payload['snapshot_id']);
    }
    else {
      $result = $sender->pushInventory($payload);
    }
    $outcome = [
      'time' => $this->time->getRequestTime(),
      'ok' => $result['ok'],
      'status' => $result['status'],
      'duplicate' => $result['duplicate'],
      'id' => (string) ($result['data']['id'] ?? ''),
      'snapshot_id' => $payload['snapshot_id'],
      'kind' => $kind,
      'modules' => count($payload['modules']),
      'message' => $result['error'],
    ];
    $this->state->set(self::STATE_LAST_PUSH, $outcome);
    if ($result['ok']) {
      $this->state->set(self::STATE_LAST_ACCEPTED, $payload['snapshot_id']);
      $this->state->delete(self::STATE_LAST_LOGGED);
      $standing = $sender->standing();
      if ($standing['ok']) {
        $this->state->set(self::STATE_STANDING, $standing['data'] + ['fetched' => $this->time->getRequestTime()]);
      }
      return $outcome;
    }
    $this->logOnce($result['status'], $result['error']);
    return $outcome;
  }

  /**
   * Logs a failure once: the same failure again (each cron run while the
   * key is wrong or the server is down) stays quiet until something changes.
   */
  private function logOnce(int $status, string $message): void {
    $signature = $status . ' ' . $message;
    if ($this->state->get(self::STATE_LAST_LOGGED) === $signature) {
      return;
    }
    $this->state->set(self::STATE_LAST_LOGGED, $signature);
    if (in_array($status, self::REFUSALS, TRUE)) {
      $this->logger->error('Fleetwatch refused the push: @message', ['@message' => $message]);
    }
    else {
      $this->logger->warning('Fleetwatch push failed, retried on a later cron run: @message', ['@message' => $message]);
    }
  }

  /**
   * The status report lines (hook_requirements('runtime')).
   *
   * @return array
   *   Requirements keyed fleetwatch_connector and fleetwatch_connector_standing;
   *   severity is -1 (info), 0 (ok), 1 (warning) or 2 (error), the values of
   *   core's REQUIREMENT_* constants.
   */
  public function requirements(): array {
    $req = ['title' => 'Fleetwatch connector'];
    if ($this->key() === '' || $this->serverUrl() === '') {
      return ['fleetwatch_connector' => $req + ['value' => 'Not configured', 'severity' => 1,
        'description' => 'Set the Fleetwatch server URL and a site key (fwk_…) at Configuration » Web services » Fleetwatch, or in settings.php.']];
    }
    $last = $this->state->get(self::STATE_LAST_PUSH, []);
    if (empty($last['time'])) {
      return ['fleetwatch_connector' => $req + ['value' => 'No push yet', 'severity' => -1,
        'description' => 'The inventory is pushed on the next cron run, or now with drush fleetwatch:push.']];
    }
    $when = gmdate('Y-m-d H:i', (int) $last['time']) . ' UTC';
    if (!empty($last['ok'])) {
      $out = ['fleetwatch_connector' => $req + ['value' => 'Last push ' . $when . ': accepted' . (!empty($last['duplicate']) ? ' (a repeat of the one before)' : ''), 'severity' => 0,
        'description' => sprintf('%d projects sent as %s to %s.', (int) ($last['modules'] ?? 0), $last['kind'] ?? 'inventory', $this->serverUrl())]];
    }
    else {
      $out = ['fleetwatch_connector' => $req + ['value' => 'Last push ' . $when . ': failed',
        'severity' => in_array((int) $last['status'], self::REFUSALS, TRUE) ? 2 : 1,
        'description' => (string) $last['message']]];
    }
    $standing = $this->state->get(self::STATE_STANDING);
    if (is_array($standing) && isset($standing['security_updates'])) {
      $count = (int) $standing['security_updates'];
      $pastDue = (int) ($standing['past_due'] ?? 0);
      $value = $count === 0 ? 'No security update outstanding' : sprintf('%d security update%s outstanding, %d past due', $count, $count === 1 ? '' : 's', $pastDue);
      $description = 'As Fleetwatch saw it on ' . gmdate('Y-m-d H:i', (int) ($standing['fetched'] ?? 0)) . ' UTC.';
      if (!empty($standing['nearest_due_at'])) {
        $description .= sprintf(' Nearest deadline: %s (%s).', $standing['nearest_due_at'], $standing['nearest_project'] ?? '');
      }
      $out['fleetwatch_connector_standing'] = ['title' => 'Fleetwatch security updates', 'value' => $value,
        'severity' => $pastDue > 0 ? 2 : ($count > 0 ? 1 : 0), 'description' => $description];
    }
    return $out;
  }

}
