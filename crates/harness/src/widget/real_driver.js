// infobackup: feeds every value of the batch to the widget's update function, as Jeedom's live
// update does, and records what is visible after each one into a "pre" element (ASCII
// JSON), which Chromium's --dump-dom hands back.
document.addEventListener('DOMContentLoaded', function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('ib-real-config').textContent);
  var id = cfg.id;
  var root = document.querySelector('.cmd[data-cmd_uid="' + cfg.uid + '"]') || document;
  function el(name) {
    return root.querySelector('.' + name + id) || root.querySelector('#' + name + id);
  }
  function visible(e) { return !!e && e.getClientRects().length > 0; }
  function text(e) { return e ? String(e.textContent) : null; }
  function colour(e) {
    if (!e) return null;
    var cs = getComputedStyle(e);
    var all = String(cs.backgroundImage).match(/rgba?\([^)]*\)/g);
    return all ? all[all.length - 1] : String(cs.backgroundColor);
  }
  var repos = [['local', 'BackupLocal', 'circleBackupLocal'], ['samba', 'BackupSamba', 'circleBackupSamba'],
    ['market', 'BackupMarket', 'circleBackupMarket']];
  function snapshot(threw) {
    var s = { threw: threw, panels: [], alert: null, progress: null, name: null, name_markup: false,
      date_title: null, circles: [] };
    if (visible(el('alert'))) { s.panels.push('alert'); s.alert = text(el('alert')); }
    if (visible(el('startBackup'))) { s.panels.push('in_progress'); s.progress = text(el('startBackupAtt')); }
    if (visible(el('endBackup'))) {
      s.panels.push('finished');
      var n = el('BackupName');
      s.name = text(n);
      s.name_markup = !!n && n.childElementCount > 0;
      var t = el('endBackupAtt');
      s.date_title = t ? t.getAttribute('title') : null;
    }
    repos.forEach(function (r) {
      var box = el(r[1]);
      if (visible(box)) s.circles.push({ repo: r[0], colour: colour(el(r[2])), title: box.getAttribute('title') });
    });
    return s;
  }
  var values = JSON.parse(document.getElementById('ib-values').textContent);
  var out = [];
  var update = window.jeedom && window.jeedom.cmd && window.jeedom.cmd.update[String(id)];
  values.forEach(function (v) {
    var threw = null;
    if (typeof update !== 'function') threw = 'the widget registered no update function for #id#';
    else {
      try {
        update({ cmd_id: id, display_value: v[0], value: v[0], valueDate: v[1], collectDate: v[1], alertLevel: 'none' });
      } catch (e) { threw = String(e && e.message || e); }
    }
    out.push(snapshot(threw));
  });
  var json = JSON.stringify({ load_errors: window.__ibLoadErrors || [], drawn: out }, function (k, val) {
    return typeof val === 'string' && val.toWellFormed ? val.toWellFormed() : val;
  }).replace(/[\u007f-\uffff<>&]/g, function (c) { return '\\u' + ('0000' + c.charCodeAt(0).toString(16)).slice(-4); });
  var pre = document.createElement('pre');
  pre.id = 'ib-real-result';
  pre.textContent = json;
  document.body.appendChild(pre);
});
