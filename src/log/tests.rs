//! Unit tests of the parser on small texts (the fixture logs are in tests/integration).

use super::*;

const SPEC_44: &str = "[START BACKUP]
***************Start of Jeedom backup at 2025-09-10 03:27:01***************
Send begin backup event...OK
Checking files rights...OK
Checking  database...OK
Backing up database...OK
Cache persistence: 
OK
Creating archive...
OK
Cleaning old backup...OK
Send backup Market...[2025-09-10 03:29:40][ERROR] : Aucun serveur de backup defini. Avez-vous bien un abonnement au backup cloud ?
/!\\ Aucun serveur de backup defini. Avez-vous bien un abonnement au backup cloud ? /!\\OK
Send backup Samba...OK
Limiting backup size to 500 Mb...
OK
Backup name: /var/www/html/core/php/../../backup/backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz
Checking files rights...OK
Send end backup event...OK
Backup operation duration: 212s
***************Jeedom backup end***************
[END BACKUP SUCCESS]
";

#[test]
fn spec_example() {
    let m = parse(SPEC_44.as_bytes());
    assert_eq!(m.unknown, vec![]);
    assert_eq!(m.runs.len(), 1);
    let r = &m.runs[0];
    assert!(r.succeeded());
    assert_eq!(r.steps.len(), 10);
    assert!(r.steps.iter().all(|s| s.result == StepResult::Ok), "{:#?}", r.steps);
    assert_eq!(r.uploads.len(), 2);
    assert!(matches!(r.uploads[0].outcome, UploadOutcome::Failed { .. }));
    assert_eq!(r.uploads[1].outcome, UploadOutcome::Ok);
    assert_eq!(r.logger_lines.len(), 1);
    assert!(r.logger_lines[0].mid_line);
    assert_eq!(r.errors().count(), 1);
    let a = r.archive.as_ref().unwrap();
    assert_eq!(a.box_name.as_deref(), Some("Jeedom"));
    assert_eq!(a.version.as_deref(), Some("4.4.20"));
    assert_eq!(a.stamp.as_deref(), Some("2025-09-10-03h27"));
    assert_eq!(r.end_time().map(|t| t.to_string()), Some("2025-09-10T03:30:33".to_owned()));
    assert_eq!(r.generation.to_string(), "4.3/4.4");
    assert_eq!(m.line_count, 22);
}
