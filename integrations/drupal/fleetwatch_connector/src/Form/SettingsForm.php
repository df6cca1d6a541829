<?php

declare(strict_types=1);

namespace Drupal\fleetwatch_connector\Form;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\State\StateInterface;
use Drupal\fleetwatch_connector\Connector;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * The server URL, the site key and how often to push.
 *
 * The key is a password field: never shown back, kept when left empty, and
 * saved to State (not configuration). When settings.php sets it the field
 * is disabled and says so.
 */
class SettingsForm extends ConfigFormBase {

  public function __construct(
    ConfigFactoryInterface $config_factory,
    TypedConfigManagerInterface $typed_config_manager,
    protected StateInterface $state,
    protected Connector $connector,
  ) {
    parent::__construct($config_factory, $typed_config_manager);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('config.factory'),
      $container->get('config.typed'),
      $container->get('state'),
      $container->get('fleetwatch_connector.connector'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'fleetwatch_connector_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return [Connector::CONFIG];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $config = $this->config(Connector::CONFIG);
    $form['server_url'] = [
      '#type' => 'url',
      '#title' => $this->t('Fleetwatch server URL'),
      '#default_value' => $config->get('server_url'),
      '#description' => $this->t('For example https://fleetwatch.example.com'),
      '#required' => TRUE,
    ];
    $fromSettings = $this->connector->keyFromSettings();
    $stored = (string) $this->state->get(Connector::STATE_KEY, '');
    $form['key'] = [
      '#type' => 'password',
      '#title' => $this->t('Site key'),
      '#disabled' => $fromSettings,
      '#description' => $fromSettings
        ? $this->t('Set in settings.php ($settings[\'fleetwatch_connector\'][\'key\']), which wins over this form.')
        : ($stored !== ''
          ? $this->t('A key is saved; leave empty to keep it. Create one in Fleetwatch under the site\'s API keys (fwk_…).')
          : $this->t('Create one in Fleetwatch under the site\'s API keys (fwk_…). Kept in State, never exported with configuration.')),
    ];
    $form['interval'] = [
      '#type' => 'number',
      '#title' => $this->t('Push at most every (seconds)'),
      '#min' => 300,
      '#default_value' => $config->get('interval') ?: Connector::DEFAULT_INTERVAL,
      '#description' => $this->t('On cron. drush fleetwatch:push pushes at once.'),
    ];
    $form['send_composer_lock'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Send the scrubbed composer.lock instead of the extension inventory'),
      '#default_value' => (bool) $config->get('send_composer_lock'),
      '#description' => $this->t('Off by default: a composer.lock leaves out custom code and the PHP version. Only drupal/* package names and versions leave the site.'),
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $key = trim((string) $form_state->getValue('key'));
    if ($key !== '' && !str_starts_with($key, 'fwk_')) {
      $form_state->setErrorByName('key', $this->t('A site key starts with fwk_.'));
    }
    parent::validateForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $this->config(Connector::CONFIG)
      ->set('server_url', rtrim(trim((string) $form_state->getValue('server_url')), '/'))
      ->set('interval', max(300, (int) $form_state->getValue('interval')))
      ->set('send_composer_lock', (bool) $form_state->getValue('send_composer_lock'))
      ->save();
    $key = trim((string) $form_state->getValue('key'));
    if ($key !== '' && !$this->connector->keyFromSettings()) {
      $this->state->set(Connector::STATE_KEY, $key);
    }
    parent::submitForm($form, $form_state);
  }

}
