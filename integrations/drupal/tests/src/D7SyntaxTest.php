<?php

declare(strict_types=1);

namespace Drupal\Tests\fleetwatch_connector;

use PHPUnit\Framework\TestCase;

/**
 * The Drupal 7 connector must parse on PHP 5.6: no PHP 7+ syntax or
 * functions in its files (no PHP 5.6 binary is at hand, so its tokens are
 * checked instead).
 */
final class D7SyntaxTest extends TestCase {

  /**
   * Functions that PHP 5.6 lacks.
   */
  private const NEWER_FUNCTIONS = ['str_starts_with', 'str_ends_with', 'str_contains', 'random_bytes', 'random_int', 'intdiv',
    'array_key_first', 'array_key_last', 'array_is_list', 'is_iterable', 'is_countable', 'mb_str_split', 'get_debug_type', 'fdiv', 'spl_object_id'];

  /**
   * Type names PHP 5.6 refuses in declarations (it knows array, callable and classes).
   */
  private const SCALAR_TYPES = ['int', 'string', 'bool', 'float', 'iterable', 'object', 'mixed', 'void', 'never', 'null', 'false', 'true', 'static'];

  public static function files(): array {
    $dir = __DIR__ . '/../../fleetwatch_connector_d7';
    $out = [];
    foreach (array_merge(glob($dir . '/*.{module,install,inc}', GLOB_BRACE), glob($dir . '/includes/*.inc')) as $file) {
      $out[basename($file)] = [$file];
    }
    return $out;
  }

  /**
   * @dataProvider files
   */
  public function testNoPhp7Syntax(string $file): void {
    $this->assertSame([], self::newerSyntax((string) file_get_contents($file)), basename($file));
  }

  public function testTheCheckFindsPhp7Syntax(): void {
    $code = "<?php\ndeclare(strict_types=1);\nfunction f(int \$a, ?array \$b = NULL): string { return \$a ?? fn() => 1; }\n\$x = \$y?->z;\n[\$a, \$b] = g();\nstr_starts_with('a', 'b');\n";
    $found = self::newerSyntax($code);
    foreach (['declare(strict_types)', 'scalar type int', 'nullable type', 'return type', '??', 'fn', '?->', 'short list assignment', 'str_starts_with()'] as $what) {
      $this->assertContains($what, array_map(static fn(string $f): string => preg_replace('/ on line \d+$/', '', $f), $found), $what);
    }
    $this->assertSame([], self::newerSyntax("<?php\nfunction f(array \$a, \$b = NULL) { return isset(\$a['x']) ? \$a['x'] : function () use (\$b) { return \$b; }; }\nlist(\$a, \$b) = array(1, 2);\n\$c = [1, 2];\n"));
  }

  /**
   * What in $code needs PHP 7 or later.
   */
  public static function newerSyntax(string $code): array {
    $tokens = array_values(array_filter(token_get_all($code), static fn($t): bool => !is_array($t) || !in_array($t[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], TRUE)));
    $found = [];
    $text = static fn($t): string => is_array($t) ? $t[1] : $t;
    $line = static fn(int $i): int => is_array($tokens[$i]) ? $tokens[$i][2] : (is_array($tokens[$i - 1] ?? NULL) ? $tokens[$i - 1][2] : 0);
    $depth = 0;
    $inParams = FALSE;
    $paramsDepth = 0;
    foreach ($tokens as $i => $t) {
      $s = strtolower($text($t));
      $prev = $i > 0 ? strtolower($text($tokens[$i - 1])) : '';
      $next = strtolower($text($tokens[$i + 1] ?? ''));
      $at = ' on line ' . $line($i);
      $id = is_array($t) ? $t[0] : NULL;
      if ($id === T_COALESCE || (defined('T_COALESCE_EQUAL') && $id === T_COALESCE_EQUAL)) {
        $found[] = '??' . $at;
      }
      if ($id === T_SPACESHIP) {
        $found[] = '<=>' . $at;
      }
      if (defined('T_FN') && $id === T_FN) {
        $found[] = 'fn' . $at;
      }
      if (defined('T_NULLSAFE_OBJECT_OPERATOR') && $id === T_NULLSAFE_OBJECT_OPERATOR) {
        $found[] = '?->' . $at;
      }
      if (defined('T_MATCH') && $id === T_MATCH) {
        $found[] = 'match' . $at;
      }
      if (defined('T_ATTRIBUTE') && $id === T_ATTRIBUTE) {
        $found[] = 'attribute' . $at;
      }
      if ($id === T_DECLARE && str_contains(strtolower(implode('', array_map($text, array_slice($tokens, $i, 4)))), 'strict_types')) {
        $found[] = 'declare(strict_types)' . $at;
      }
      if ($id === T_STRING && in_array($s, self::NEWER_FUNCTIONS, TRUE) && $next === '(' && !in_array($prev, ['->', '::', 'function'], TRUE)) {
        $found[] = $s . '()' . $at;
      }
      if ($s === '[' && in_array($prev, [';', '{', '}', ''], TRUE)) {
        // A statement that starts with [ is a short list assignment.
        $found[] = 'short list assignment' . $at;
      }
      if ($id === T_FUNCTION) {
        $inParams = FALSE;
        $paramsDepth = -1;
      }
      if ($s === '(') {
        $depth++;
        if ($paramsDepth === -1) {
          $paramsDepth = $depth;
          $inParams = TRUE;
        }
      }
      if ($inParams && ($s === '?' && in_array($prev, ['(', ','], TRUE))) {
        $found[] = 'nullable type' . $at;
      }
      if ($inParams && $id === T_STRING && in_array($s, self::SCALAR_TYPES, TRUE) && in_array($prev, ['(', ',', '?'], TRUE)) {
        $found[] = 'scalar type ' . $s . $at;
      }
      if ($s === ')') {
        if ($inParams && $depth === $paramsDepth) {
          $inParams = FALSE;
          $paramsDepth = 0;
          if ($next === ':') {
            $found[] = 'return type' . $at;
          }
          // A closure's use (...) list is followed by a return type too.
        }
        $depth--;
      }
    }
    return $found;
  }

}
