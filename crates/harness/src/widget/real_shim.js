// infobackup: the small part of Jeedom's dashboard front end that a command widget's script
// calls (Jeedom 4.4/4.5: `jeedom.cmd.addUpdateFunction`, `jeedom.cmd.refreshValue`, `is_object`,
// `isset`, `is_numeric`; Jeedom 4.2's `jeedom.cmd.update[id]` and a jQuery-like `$` for older
// templates). Written from what those functions do, for infobackup's own use; not Jeedom's code.
(function () {
  'use strict';
  var jeedom = { cmd: { update: {} } };
  jeedom.cmd.addUpdateFunction = function (id, fn) { jeedom.cmd.update[String(id)] = fn; };
  jeedom.cmd.refreshValue = function (list) {
    (Array.isArray(list) ? list : [list]).forEach(function (o) {
      var fn = o && jeedom.cmd.update[String(o.cmd_id)];
      if (typeof fn === 'function') fn(o);
    });
  };
  window.jeedom = jeedom;
  window.jeeFrontEnd = { jeedomVersion: '4.4.0' };
  window.is_object = function (v) { return v !== null && typeof v === 'object'; };
  window.isset = function (v) { return typeof v !== 'undefined' && v !== null; };
  window.is_numeric = function (v) {
    return (typeof v === 'number' || typeof v === 'string') && String(v).trim() !== '' && !isNaN(v);
  };

  // A jQuery subset: $(fn), $(document).ready(fn), $(selector).find/attr/html/css/show/hide.
  function Q(nodes) { this.nodes = nodes; this.length = nodes.length; }
  function byIdOrSelector(root, sel) {
    // jQuery accepts unquoted attribute values such as [data-cmd_id=12]; CSS wants them quoted.
    var all = function (s) { return Array.prototype.slice.call(root.querySelectorAll(s)); };
    try { return all(sel); } catch (e) {
      try { return all(sel.replace(/=\s*([^\]"'\s]+)\s*\]/g, '="$1"]')); } catch (e2) { return []; }
    }
  }
  Q.prototype.find = function (sel) {
    var out = [];
    this.nodes.forEach(function (n) { out = out.concat(byIdOrSelector(n, sel)); });
    return new Q(out);
  };
  Q.prototype.attr = function (name, value) {
    if (value === undefined) return this.nodes.length ? this.nodes[0].getAttribute(name) : undefined;
    this.nodes.forEach(function (n) { n.setAttribute(name, String(value)); });
    return this;
  };
  Q.prototype.html = function (value) {
    if (value === undefined) return this.nodes.length ? this.nodes[0].innerHTML : undefined;
    this.nodes.forEach(function (n) { n.innerHTML = String(value); });
    return this;
  };
  Q.prototype.text = function (value) {
    if (value === undefined) return this.nodes.length ? this.nodes[0].textContent : undefined;
    this.nodes.forEach(function (n) { n.textContent = String(value); });
    return this;
  };
  Q.prototype.css = function (name, value) {
    if (value === undefined) return this.nodes.length ? getComputedStyle(this.nodes[0]).getPropertyValue(name) : undefined;
    this.nodes.forEach(function (n) { n.style.setProperty(name, String(value)); });
    return this;
  };
  Q.prototype.show = function () { this.nodes.forEach(function (n) { n.style.display = ''; }); return this; };
  Q.prototype.hide = function () { this.nodes.forEach(function (n) { n.style.display = 'none'; }); return this; };
  Q.prototype.ready = function (fn) { whenReady(fn); return this; };
  function whenReady(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { fn(); });
    else fn();
  }
  window.$ = window.jQuery = function (arg) {
    if (typeof arg === 'function') { whenReady(arg); return new Q([document]); }
    if (arg === document || arg === window) return new Q([arg]);
    if (typeof arg === 'string') return new Q(byIdOrSelector(document, arg));
    return new Q(arg ? [arg] : []);
  };
})();
