<?php

namespace Drupal\Core\Form;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;

/**
 * Stand-in of core's ConfigFormBase: config() gives the editable
 * configuration, buildForm() adds the submit button, t() formats.
 */
abstract class ConfigFormBase {

  public function __construct(protected ConfigFactoryInterface $configFactory, protected ?TypedConfigManagerInterface $typedConfigManager = NULL) {
  }

  abstract protected function getEditableConfigNames();

  protected function config($name) {
    return $this->configFactory->getEditable($name);
  }

  public function buildForm(array $form, FormStateInterface $form_state) {
    $form['actions']['submit'] = ['#type' => 'submit', '#value' => 'Save configuration'];
    return $form;
  }

  public function validateForm(array &$form, FormStateInterface $form_state) {
  }

  public function submitForm(array &$form, FormStateInterface $form_state) {
  }

  protected function t($string, array $args = [], array $options = []) {
    return strtr($string, $args);
  }

}
