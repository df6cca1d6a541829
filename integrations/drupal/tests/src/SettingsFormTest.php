<?php

declare(strict_types=1);

namespace Drupal\Tests\fleetwatch_connector;

use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Site\Settings;
use Drupal\fleetwatch_connector\Connector;
use Drupal\fleetwatch_connector\ExtensionInventory;
use Drupal\fleetwatch_connector\Form\SettingsForm;
use PHPUnit\Framework\TestCase;

/**
 * The settings form keeps the key out of configuration and never shows it.
 */
final class SettingsFormTest extends TestCase {

  private FakeState $state;
  private FakeConfigFactory $config;

  protected function setUp(): void {
    new Settings([]);
    $this->state = new FakeState();
    $this->config = new FakeConfigFactory();
    $this->config->configs[Connector::CONFIG] = ['server_url' => '', 'interval' => 3600, 'send_composer_lock' => FALSE];
  }

  private function form(): SettingsForm {
    $connector = new Connector($this->config, $this->state, new FakeTime(0), new FakeLogger(), new FakeTransport(),
      new ExtensionInventory([], 'standard', '10.3.6'), '/nonexistent');
    $typed = new class() implements TypedConfigManagerInterface {};
    return new SettingsForm($this->config, $typed, $this->state, $connector);
  }

  public function testTheKeyGoesToStateNeverToConfigurationAndIsNeverShown(): void {
    $form = $this->form();
    $values = ['server_url' => ' https://fw.example/ ', 'key' => ' fwk_secret123 ', 'interval' => '60', 'send_composer_lock' => 1];
    $built = [];
    $state = new FakeFormState($values);
    $form->validateForm($built, $state);
    $this->assertSame([], $state->errors);
    $form->submitForm($built, $state);
    $this->assertSame('fwk_secret123', $this->state->get(Connector::STATE_KEY));
    $this->assertSame(['server_url' => 'https://fw.example', 'interval' => 300, 'send_composer_lock' => TRUE], $this->config->configs[Connector::CONFIG]);

    $built = $form->buildForm([], new FakeFormState());
    $this->assertSame('password', $built['key']['#type']);
    $this->assertArrayNotHasKey('#default_value', $built['key']);
    $this->assertStringNotContainsString('fwk_secret123', serialize($built));
    $this->assertStringContainsString('leave empty to keep it', (string) $built['key']['#description']);
    $this->assertSame('https://fw.example', $built['server_url']['#default_value']);

    // Saved again with the key left empty: the key stays.
    $form->submitForm($built, new FakeFormState(['server_url' => 'https://fw.example', 'key' => '', 'interval' => 3600]));
    $this->assertSame('fwk_secret123', $this->state->get(Connector::STATE_KEY));
  }

  public function testAKeyInSettingsPhpDisablesTheFieldAndWins(): void {
    new Settings(['fleetwatch_connector' => ['key' => 'fwk_settings']]);
    $form = $this->form();
    $built = $form->buildForm([], new FakeFormState());
    $this->assertTrue($built['key']['#disabled']);
    $this->assertStringContainsString('settings.php', (string) $built['key']['#description']);
    $this->assertStringNotContainsString('fwk_settings', serialize($built));
    $form->submitForm($built, new FakeFormState(['server_url' => 'https://fw.example', 'key' => 'fwk_other', 'interval' => 3600]));
    $this->assertNull($this->state->get(Connector::STATE_KEY));
  }

  public function testAKeyThatIsNotASiteKeyIsRefused(): void {
    $built = [];
    $state = new FakeFormState(['server_url' => 'https://fw.example', 'key' => 'fwi_integration', 'interval' => 3600]);
    $this->form()->validateForm($built, $state);
    $this->assertSame(['key' => 'A site key starts with fwk_.'], $state->errors);
  }

}
