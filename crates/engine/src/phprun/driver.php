<?php
// infobackup's PHP driver (see src/phprun/mod.rs): runs a Jeedom scenario code block trigger by
// trigger, as Jeedom's scenario engine runs it, against a world served by infobackup.
//
// Protocol: JSON Lines. infobackup writes requests on stdin; this driver writes its messages on
// stdout, each on its own line starting with the marker "\x1eIB " (anything else on stdout is
// something the block printed). Messages:
//   <- {"type":"init","code":"<the block>"}            -> {"type":"ready","php":"8.2.x"}
//   <- {"type":"run","trigger":…,"now":"Y-m-d H:i:s","ts":…,"tz":…,"jeedom45":bool,"php7":bool,
//       "no_cloud_backup":bool,"tags":{…}}
//        while the block runs, for each fact it touches the first time in this trigger:
//        -> {"type":"need","what":"config","key":…}   <- {"value":"…"}
//        -> {"type":"need","what":"log","name":…}     <- {"b64":"…"}
//        -> {"type":"need","what":"local"}            <- {"files":[["name",size],…]}
//        -> {"type":"need","what":"samba"}            <- {"list":[…]} or {"error":"…"}
//   -> {"type":"done","virtual":…,"tags":{…},"crash":null|"Class: message","log":[…],"notes":[…]}
// Nothing here reads the host's clock or files for the block: time and files come from the run
// request and the answers above.

namespace Ib {

final class Rt
{
    /** @var resource */
    public static $in;
    /** @var resource */
    public static $out;
    public static $req = [];
    public static $facts = [];
    public static $log = [];
    public static $notes = [];
    public static $tz = 'UTC';
    public static $ts = 0;
    public static $civil = '1970-01-01 00:00:00';
    public static $civilIsReal = true;
    public static $civilUtc = null;
    public static $zoned = null;

    public static function send(array $msg): void
    {
        $json = json_encode($msg, JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE | JSON_PARTIAL_OUTPUT_ON_ERROR);
        fwrite(self::$out, "\x1eIB " . $json . "\n");
        fflush(self::$out);
    }

    public static function receive(): array
    {
        $line = fgets(self::$in);
        if ($line === false) {
            exit(0);
        }
        $msg = json_decode($line, true);
        if (!is_array($msg)) {
            fwrite(STDERR, "infobackup driver: not a JSON request: " . substr($line, 0, 80) . "\n");
            exit(3);
        }
        return $msg;
    }

    /** Asks infobackup for a fact once per trigger. */
    public static function need(string $what, array $args = []): array
    {
        $key = $what . "\0" . implode("\0", $args);
        if (!array_key_exists($key, self::$facts)) {
            self::send(['type' => 'need', 'what' => $what] + $args);
            self::$facts[$key] = self::receive();
        }
        return self::$facts[$key];
    }

    public static function config(string $key): string
    {
        $v = self::need('config', ['key' => $key])['value'] ?? '';
        return is_string($v) ? $v : '';
    }

    public static function logText(string $name): string
    {
        return base64_decode(self::need('log', ['name' => $name])['b64'] ?? '');
    }

    /** name => size */
    public static function localFiles(): array
    {
        $files = [];
        foreach (self::need('local')['files'] ?? [] as $f) {
            $files[(string) $f[0]] = (int) $f[1];
        }
        return $files;
    }

    /** Jeedom's calculPath for backup::path, as the block sees the folder: the value
     * config::byKey gives the block, so a key never saved ("") is the Jeedom root, as the
     * block's own glob reads it. */
    public static function backupDir(): string
    {
        return \calculPath(self::config('backup::path'));
    }

    /** A path with `//`, `.` and `..` resolved, so two spellings of a folder compare equal. */
    public static function normalise(string $path): string
    {
        if (strncmp($path, 'file://', 7) === 0) {
            $path = substr($path, 7);
        }
        $out = [];
        foreach (explode('/', $path) as $part) {
            if ($part === '' || $part === '.') {
                continue;
            }
            if ($part === '..') {
                array_pop($out);
            } else {
                $out[] = $part;
            }
        }
        return '/' . implode('/', $out);
    }

    /** What a path is in the world: ['file', bytes-or-null, size] | ['dir'] | null. */
    public static function lookup(string $path): ?array
    {
        $n = self::normalise($path);
        if (preg_match('#^/var/www/html/log/(backup|update|cron_execution)$#', $n, $m)) {
            $text = self::logText($m[1]);
            return ['file', $text, strlen($text)];
        }
        if ($n === '/var/www/html/core/repo/samba.repo.php') {
            return ['file', "<?php\n", 6];
        }
        if ($n === '/var/www/html/log' || $n === '/var/www/html/core/repo') {
            return ['dir'];
        }
        $dir = self::normalise(self::backupDir());
        if ($n === $dir) {
            return ['dir'];
        }
        if (dirname($n) === $dir) {
            $files = self::localFiles();
            $name = basename($n);
            if (array_key_exists($name, $files)) {
                return ['file', '', $files[$name]];
            }
        }
        return null;
    }

    /** `date($format)` at the step's local wall-clock time, even inside a DST gap. */
    public static function civilFormat(string $format): string
    {
        if (self::$civilIsReal) {
            return \date($format, self::$ts);
        }
        // The local time does not exist (a DST gap): every field from the wall clock, the zone's
        // fields from the instant it resolves to.
        $out = '';
        $len = strlen($format);
        for ($i = 0; $i < $len; $i++) {
            $c = $format[$i];
            if ($c === '\\') {
                $i++;
                $out .= $i < $len ? $format[$i] : '';
            } elseif (strpos('eTOPpZIU', $c) !== false) {
                $out .= self::$zoned->format($c);
            } else {
                $out .= self::$civilUtc->format($c);
            }
        }
        return $out;
    }

    public static function toText($v): string
    {
        if (is_array($v)) {
            return 'Array';
        }
        if (is_object($v)) {
            return method_exists($v, '__toString') ? (string) $v : get_class($v);
        }
        if (is_float($v)) {
            return (string) $v;
        }
        return (string) $v;
    }

    /** The event's value: tag `json` as Jeedom evaluates `"tag(json)"` (`""` when unset). */
    public static function eventValue(array $tags): string
    {
        $v = $tags['#json#'] ?? '';
        if (is_bool($v)) {
            return $v ? '1' : '';
        }
        return self::toText($v);
    }

    /** An error message without the driver's namespaces. */
    public static function clean(string $m): string
    {
        return preg_replace('/\\\\?Sim(\\\\T\d+)?\\\\/', '', $m);
    }
}

/** Plain paths (`file_get_contents`, `filesize`, `require_once` …) read the world. */
final class FileWrapper
{
    public $context;
    private $data = '';
    private $pos = 0;
    private $list = [];

    public function stream_open($path, $mode, $options, &$opened)
    {
        if (strpbrk($mode, 'waxc+') !== false) {
            if ($options & STREAM_REPORT_ERRORS) {
                trigger_error("infobackup: the scenario cannot write files ($path)", E_USER_WARNING);
            }
            return false;
        }
        $f = Rt::lookup($path);
        if ($f === null || $f[0] !== 'file') {
            return false;
        }
        $this->data = $f[1];
        $this->pos = 0;
        return true;
    }

    public function stream_read($count)
    {
        $r = substr($this->data, $this->pos, $count);
        $this->pos += strlen($r);
        return $r;
    }

    public function stream_eof()
    {
        return $this->pos >= strlen($this->data);
    }

    public function stream_stat()
    {
        return $this->stat(['file', $this->data, strlen($this->data)]);
    }

    public function stream_seek($offset, $whence)
    {
        $len = strlen($this->data);
        $to = $whence === SEEK_SET ? $offset : ($whence === SEEK_CUR ? $this->pos + $offset : $len + $offset);
        if ($to < 0) {
            return false;
        }
        $this->pos = $to;
        return true;
    }

    public function stream_tell()
    {
        return $this->pos;
    }

    public function stream_set_option($option, $arg1, $arg2)
    {
        return false;
    }

    public function stream_close()
    {
    }

    public function url_stat($path, $flags)
    {
        $f = Rt::lookup($path);
        return $f === null ? false : $this->stat($f);
    }

    public function dir_opendir($path, $options)
    {
        $n = Rt::normalise($path);
        if ($n !== Rt::normalise(Rt::backupDir())) {
            return false;
        }
        $this->list = array_merge(['.', '..'], array_keys(Rt::localFiles()));
        return true;
    }

    public function dir_readdir()
    {
        $r = current($this->list);
        next($this->list);
        return $r === false ? false : (string) $r;
    }

    public function dir_rewinddir()
    {
        reset($this->list);
        return true;
    }

    public function dir_closedir()
    {
        return true;
    }

    private function stat(array $f): array
    {
        $mode = $f[0] === 'dir' ? 040755 : 0100644;
        $size = $f[0] === 'dir' ? 4096 : $f[2];
        $t = Rt::$ts;
        return [0, 0, $mode, 1, 33, 33, 0, $size, $t, $t, $t, 4096, (int) ceil($size / 512),
            'dev' => 0, 'ino' => 0, 'mode' => $mode, 'nlink' => 1, 'uid' => 33, 'gid' => 33, 'rdev' => 0,
            'size' => $size, 'atime' => $t, 'mtime' => $t, 'ctime' => $t, 'blksize' => 4096,
            'blocks' => (int) ceil($size / 512)];
    }
}

// ---- what the namespaced functions of the block call ------------------------------------------

function date($format, $timestamp = null)
{
    return $timestamp === null ? Rt::civilFormat((string) $format) : \date($format, $timestamp);
}

function gmdate($format, $timestamp = null)
{
    return \gmdate($format, $timestamp ?? Rt::$ts);
}

function idate($format, $timestamp = null)
{
    return \idate($format, $timestamp ?? Rt::$ts);
}

function time()
{
    return Rt::$ts;
}

function microtime($as_float = false)
{
    return $as_float ? (float) Rt::$ts : '0.00000000 ' . Rt::$ts;
}

function mktime($hour = null, $minute = null, $second = null, $month = null, $day = null, $year = null)
{
    $c = Rt::$civilUtc;
    return \mktime(
        $hour ?? (int) $c->format('G'),
        $minute ?? (int) $c->format('i'),
        $second ?? (int) $c->format('s'),
        $month ?? (int) $c->format('n'),
        $day ?? (int) $c->format('j'),
        $year ?? (int) $c->format('Y')
    );
}

function strtotime($datetime, $baseTimestamp = null)
{
    return \strtotime($datetime, $baseTimestamp ?? Rt::$ts);
}

function getdate($timestamp = null)
{
    return \getdate($timestamp ?? Rt::$ts);
}

function localtime($timestamp = null, $associative = false)
{
    return \localtime($timestamp ?? Rt::$ts, $associative);
}

function date_create($datetime = 'now', $timezone = null)
{
    try {
        return new DateTime($datetime, $timezone);
    } catch (\Exception $e) {
        return false;
    }
}

function date_create_immutable($datetime = 'now', $timezone = null)
{
    try {
        return new DateTimeImmutable($datetime, $timezone);
    } catch (\Exception $e) {
        return false;
    }
}

function glob($pattern, $flags = 0)
{
    $pattern = (string) $pattern;
    $slash = strrpos($pattern, '/');
    $dir = $slash === false ? '.' : substr($pattern, 0, $slash);
    $base = $slash === false ? $pattern : substr($pattern, $slash + 1);
    if (Rt::normalise($dir === '' ? '/' : $dir) !== Rt::normalise(Rt::backupDir())) {
        return [];
    }
    $names = [];
    foreach (array_keys(Rt::localFiles()) as $name) {
        $name = (string) $name;
        if (strpos($name, '/') === false && \fnmatch($base, $name, FNM_PERIOD)) {
            $names[] = $name;
        }
    }
    if (!($flags & GLOB_NOSORT)) {
        sort($names, SORT_STRING);
    }
    $prefix = $slash === false ? '' : substr($pattern, 0, $slash + 1);
    return array_map(function ($n) use ($prefix) {
        return $prefix . $n;
    }, $names);
}

function method_exists($object_or_class, $method)
{
    if (!empty(Rt::$req['jeedom45']) && is_string($object_or_class) && is_string($method)
        && strcasecmp(ltrim($object_or_class, '\\'), 'scenario') === 0 && strcasecmp($method, 'getRealTrigger') === 0) {
        return false;
    }
    return \method_exists($object_or_class, $method);
}

/** PHP 7's array_key_exists: a non-array is a warning and null, not a TypeError. */
function array_key_exists_php7($key, $array)
{
    if (!is_array($array)) {
        trigger_error('array_key_exists() expects parameter 2 to be array, ' . gettype($array) . ' given', E_USER_WARNING);
        return null;
    }
    return \array_key_exists($key, $array);
}

class DateTime extends \DateTime
{
    public function __construct($datetime = 'now', $timezone = null)
    {
        parent::__construct('@' . Rt::$ts);
        $this->setTimezone($timezone ?? new \DateTimeZone(Rt::$tz));
        $t = trim((string) $datetime);
        if ($t !== '' && strcasecmp($t, 'now') !== 0) {
            $this->modify($t);
        }
    }
}

class DateTimeImmutable extends \DateTimeImmutable
{
    public function __construct($datetime = 'now', $timezone = null)
    {
        $m = new DateTime($datetime, $timezone);
        parent::__construct($m->format('Y-m-d H:i:s.u'), $m->getTimezone());
    }
}

/** The namespace one trigger's block runs in: every override above, reachable unqualified. */
function stubs(string $ns, bool $php7): string
{
    $code = "namespace $ns;\n";
    $fns = ['date', 'gmdate', 'idate', 'time', 'microtime', 'mktime', 'strtotime', 'getdate', 'localtime',
        'date_create', 'date_create_immutable', 'glob', 'method_exists'];
    foreach ($fns as $f) {
        $code .= "function $f(...\$a) { return \\Ib\\$f(...\$a); }\n";
    }
    if ($php7) {
        $code .= "function array_key_exists(...\$a) { return \\Ib\\array_key_exists_php7(...\$a); }\n";
    }
    foreach (['DateTime', 'DateTimeImmutable'] as $c) {
        $code .= "class_alias('Ib\\\\$c', '$ns\\\\$c');\n";
    }
    foreach (['config', 'repo_samba', 'log', 'scenario', 'jeedom'] as $c) {
        $code .= "class_alias('$c', '$ns\\\\$c');\n";
    }
    return $code;
}

/** Runs the block once, in a method scope with `$scenario` as Jeedom's scenario engine does. */
final class Runner
{
    public static function run(string $__ns, string $__code, \scenario $scenario)
    {
        return eval("namespace $__ns; " . $__code);
    }
}

}

// ---- the Jeedom the block sees ----------------------------------------------------------------
namespace {

use Ib\Rt;

function sizeFormat($size)
{
    $units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
    $i = 0;
    while ($size > 1024) {
        $size /= 1024;
        $i++;
    }
    return round($size, 2) . ' ' . $units[$i];
}

function calculPath($_path)
{
    if (strpos($_path, '/') !== 0) {
        return '/var/www/html/core/php/../../' . $_path;
    }
    return $_path;
}

class scenario
{
    private $tags;
    public function __construct(array $tags)
    {
        $this->tags = $tags;
    }
    public function getTags()
    {
        return $this->tags;
    }
    public function setTags($tags)
    {
        $this->tags = $tags;
        return $this;
    }
    public function setLog($text)
    {
        Rt::$log[] = Rt::toText($text);
        return $this;
    }
    public function persistLog()
    {
    }
    public function getName()
    {
        return 'Info backup';
    }
    public function getRealTrigger()
    {
        if (!empty(Rt::$req['jeedom45'])) {
            throw new \Error('Call to undefined method scenario::getRealTrigger()');
        }
        return (string) Rt::$req['trigger'];
    }
    public function __call($name, $args)
    {
        throw new \Error("Call to undefined method scenario::$name()");
    }
}

class config
{
    public static function byKey($_key, $_plugin = 'core', $_default = '', $_forceFresh = false)
    {
        if ($_plugin !== 'core') {
            return $_default;
        }
        $v = Rt::config((string) $_key);
        if ($v === '' && !empty(Rt::$req['php7'])) {
            $note = "config::byKey('$_key') read a value never saved (\"\"): PHP 7 compares it equal to 0, the installed PHP 8 does not; this difference cannot be imitated";
            if (!in_array($note, Rt::$notes, true)) {
                Rt::$notes[] = $note;
            }
        }
        return $v === '' ? $_default : $v;
    }
}

class repo_samba
{
    public static function backup_list()
    {
        $a = Rt::need('samba');
        if (array_key_exists('error', $a)) {
            throw new \Exception((string) $a['error']);
        }
        return array_map('strval', $a['list'] ?? []);
    }
}

class log
{
    public static function add($_log, $_type, $_message)
    {
        Rt::$log[] = "[log::add $_log $_type] " . Rt::toText($_message);
    }
}

class jeedom
{
    public static function version()
    {
        return (string) (Rt::$req['jeedom'] ?? '4.4');
    }
}

Rt::$in = fopen('php://stdin', 'r');
Rt::$out = fopen('php://stdout', 'w');
fclose(STDIN);
stream_wrapper_unregister('file');
stream_wrapper_register('file', 'Ib\FileWrapper');
set_error_handler(function ($no, $str, $file, $line) {
    if (!(error_reporting() & $no)) {
        return true;
    }
    $kinds = [E_WARNING => 'Warning', E_USER_WARNING => 'Warning', E_NOTICE => 'Notice', E_USER_NOTICE => 'Notice',
        E_DEPRECATED => 'Deprecated', E_USER_DEPRECATED => 'Deprecated'];
    $where = strpos($file, "eval()'d code") !== false ? " on line $line of the block" : '';
    Rt::$notes[] = ($kinds[$no] ?? 'Error') . ': ' . Rt::clean($str) . $where;
    return true;
});

$init = Rt::receive();
$code = (string) ($init['code'] ?? '');
$timeLimit = (int) ($init['time_limit'] ?? 5);
Rt::send(['type' => 'ready', 'php' => PHP_VERSION]);
$declares = preg_match('/\b(function\s*&?\s*[A-Za-z_\x80-\xff]|(class|interface|trait|enum)\s+[A-Za-z_\x80-\xff])/i', $code) === 1;
$shared = [false => null, true => null];
$n = 0;

while (true) {
    $req = Rt::receive();
    if (($req['type'] ?? '') !== 'run') {
        continue;
    }
    $n++;
    Rt::$req = $req;
    Rt::$facts = [];
    clearstatcache(true); // filesize() would remember the previous trigger's files
    Rt::$log = [];
    Rt::$notes = [];
    Rt::$tz = (string) $req['tz'];
    Rt::$ts = (int) $req['ts'];
    Rt::$civil = (string) $req['now'];
    date_default_timezone_set(Rt::$tz);
    Rt::$zoned = new \DateTime('@' . Rt::$ts);
    Rt::$zoned->setTimezone(new \DateTimeZone(Rt::$tz));
    Rt::$civilIsReal = Rt::$zoned->format('Y-m-d H:i:s') === Rt::$civil;
    Rt::$civilUtc = new \DateTime(Rt::$civil, new \DateTimeZone('UTC'));
    if (!empty($req['no_cloud_backup'])) {
        $GLOBALS['NO_CLOUD_BACKUP'] = true;
    } else {
        unset($GLOBALS['NO_CLOUD_BACKUP']);
    }
    $php7 = !empty($req['php7']);
    // A block that declares functions or classes gets a fresh namespace per trigger (Jeedom runs
    // each trigger in a new PHP process); others share one.
    if ($declares) {
        $ns = "Sim\\T$n";
        eval(\Ib\stubs($ns, $php7));
    } else {
        $ns = $php7 ? 'Sim7' : 'Sim';
        if ($shared[$php7] === null) {
            eval(\Ib\stubs($ns, $php7));
            $shared[$php7] = $ns;
        }
    }
    $scenario = new scenario(is_array($req['tags'] ?? null) ? $req['tags'] : []);
    $crash = null;
    set_time_limit($timeLimit);
    ob_start();
    try {
        \Ib\Runner::run($ns, $code, $scenario);
    } catch (\Throwable $e) {
        $crash = get_class($e) . ': ' . Rt::clean($e->getMessage());
    }
    $printed = ob_get_clean();
    if ($printed !== false && $printed !== '') {
        Rt::$notes[] = 'the block printed: ' . $printed;
    }
    // Tag values as the conformance vectors write them: strings as they are, anything else
    // JSON-encoded (`1`, `null`, `true`).
    $tags = [];
    foreach ($scenario->getTags() as $k => $v) {
        $tags[(string) $k] = is_string($v) ? $v : (string) json_encode($v, JSON_PARTIAL_OUTPUT_ON_ERROR);
    }
    Rt::send([
        'type' => 'done',
        'virtual' => Rt::eventValue($scenario->getTags()),
        'tags' => (object) $tags,
        'crash' => $crash,
        'log' => Rt::$log,
        'notes' => Rt::$notes,
    ]);
}

}
