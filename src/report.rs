//! The last step of the data flow: what a person or a CI server reads. Tables, JSON Lines, JUnit
//! XML for `check`; the findings, timeline and HTML report for `diagnose`.
