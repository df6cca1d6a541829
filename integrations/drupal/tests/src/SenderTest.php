<?php

declare(strict_types=1);

namespace Drupal\Tests\fleetwatch_connector;

use Drupal\fleetwatch_connector\Http\GuzzleTransport;
use Drupal\fleetwatch_connector\Http\TransportException;
use Drupal\fleetwatch_connector\Sender;
use GuzzleHttp\ClientInterface;
use PHPUnit\Framework\TestCase;
use Psr\Http\Message\ResponseInterface;

/**
 * The sender's calls and how it reads Fleetwatch's answers.
 */
final class SenderTest extends TestCase {

  public function testPushesTheInventoryWithTheSiteKeyAndATimeout(): void {
    $t = new FakeTransport([FakeTransport::json(202, ['data' => ['id' => 'log-1', 'status' => 'queued', 'duplicate' => FALSE]])]);
    $r = (new Sender($t, 'https://fw.example/', 'fwk_abc', 7.5))->pushInventory(['snapshot_id' => 'x', 'modules' => []]);
    $this->assertTrue($r['ok']);
    $this->assertSame(202, $r['status']);
    $this->assertFalse($r['duplicate']);
    $this->assertSame('log-1', $r['data']['id']);
    $call = $t->calls[0];
    $this->assertSame('POST', $call['method']);
    $this->assertSame('https://fw.example/api/v1/ingest/inventory', $call['url']);
    $this->assertSame('Bearer fwk_abc', $call['headers']['Authorization']);
    $this->assertSame('application/json', $call['headers']['Content-Type']);
    $this->assertSame(7.5, $call['timeout']);
    $this->assertSame(['snapshot_id' => 'x', 'modules' => []], json_decode($call['body'], TRUE));
  }

  public function testADuplicateIsAcceptedAndSaidSo(): void {
    $t = new FakeTransport([FakeTransport::json(202, ['data' => ['id' => 'log-1', 'status' => 'applied', 'duplicate' => TRUE]])]);
    $r = (new Sender($t, 'https://fw.example', 'fwk_abc'))->pushInventory([]);
    $this->assertTrue($r['ok'] && $r['duplicate']);
  }

  public function testRefusalsCarryFleetwatchsErrorDetail(): void {
    $errors = ['errors' => [
      ['status' => '422', 'code' => 'validation_failed', 'title' => 'Invalid field', 'detail' => 'modules[3].version must not be empty', 'source' => ['pointer' => '/modules/3/version']],
      ['status' => '422', 'title' => 'Invalid field', 'detail' => 'drupal.php_version must not contain spaces'],
    ]];
    $t = new FakeTransport([FakeTransport::json(422, $errors), FakeTransport::json(401, ['errors' => [['detail' => 'The API key is not valid.']]]),
      ['status' => 413, 'body' => 'not json']]);
    $s = new Sender($t, 'https://fw.example', 'fwk_abc');
    $r = $s->pushInventory([]);
    $this->assertFalse($r['ok']);
    $this->assertSame('Fleetwatch refused the payload (HTTP 422): modules[3].version must not be empty (/modules/3/version); drupal.php_version must not contain spaces', $r['error']);
    $this->assertSame('Fleetwatch refused the site key (HTTP 401): The API key is not valid.', $s->pushInventory([])['error']);
    $this->assertSame('Fleetwatch refused the payload as too large (HTTP 413).', $s->pushInventory([])['error']);
  }

  public function testNoAnswerIsAResultNotAnException(): void {
    $r = (new Sender(new FakeTransport([NULL]), 'https://fw.example', 'fwk_abc'))->standing();
    $this->assertFalse($r['ok']);
    $this->assertSame(0, $r['status']);
    $this->assertSame('Fleetwatch did not answer: Connection refused', $r['error']);
  }

  public function testComposerLockAndStandingRoutes(): void {
    $t = new FakeTransport([FakeTransport::json(202, ['data' => ['id' => 'l']]), FakeTransport::json(200, ['data' => ['security_updates' => 2]])]);
    $s = new Sender($t, 'https://fw.example', 'fwk_abc');
    $s->pushComposerLock('{"packages":[]}', 'fwc-1 2');
    $this->assertSame(2, $s->standing()['data']['security_updates']);
    $this->assertSame('https://fw.example/api/v1/ingest/composer-lock?snapshot_id=fwc-1%202', $t->calls[0]['url']);
    $this->assertSame(['GET', 'https://fw.example/api/v1/ingest/standing', NULL], [$t->calls[1]['method'], $t->calls[1]['url'], $t->calls[1]['body']]);
  }

  public function testGuzzleTransportPassesTheTimeoutAndNeverThrowsOnHttpErrors(): void {
    $client = new class() implements ClientInterface {

      public array $options = [];
      public bool $fail = FALSE;

      public function request(string $method, $uri, array $options = []): ResponseInterface {
        if ($this->fail) {
          throw new \RuntimeException('cURL error 28: Operation timed out');
        }
        $this->options = $options;
        return new class() implements ResponseInterface {

          public function getStatusCode(): int {
            return 403;
          }

          public function getBody() {
            return '{"errors":[]}';
          }

        };
      }

    };
    $transport = new GuzzleTransport($client);
    $this->assertSame(['status' => 403, 'body' => '{"errors":[]}'], $transport->send('POST', 'https://fw.example/x', ['A' => 'b'], '{}', 5.0));
    $this->assertSame(5.0, $client->options['timeout']);
    $this->assertFalse($client->options['http_errors']);
    $this->assertSame('{}', $client->options['body']);
    $client->fail = TRUE;
    $this->expectException(TransportException::class);
    $transport->send('GET', 'https://fw.example/x', [], NULL, 5.0);
  }

}
