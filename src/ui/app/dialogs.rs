//! The overlays and notices: help, the embed dialog, what a link or a file
//! could not restore, and the last link copied.

/// Messages for the dialogs.
pub enum DialogMsg {
    ShowEmbed(bool),
    ShowHelp(bool),
    DismissProblems,
}

/// What is shown over or above the page.
pub(super) struct Dialogs {
    pub help: bool,
    pub embed: bool,
    /// Messages about what a link or file could not restore (dismissible).
    pub problems: Vec<String>,
    /// A refused import: file name and every problem.
    pub import_errors: Option<(String, Vec<String>)>,
    /// The last link copied (also shown, for copying by hand).
    pub copied_link: String,
}

impl Dialogs {
    pub fn new(problems: Vec<String>) -> Dialogs {
        Dialogs {
            help: false,
            embed: false,
            problems,
            import_errors: None,
            copied_link: String::new(),
        }
    }

    pub fn update(&mut self, msg: DialogMsg) -> bool {
        match msg {
            DialogMsg::ShowEmbed(on) => self.embed = on,
            DialogMsg::ShowHelp(on) => self.help = on,
            DialogMsg::DismissProblems => {
                self.problems.clear();
                self.import_errors = None;
            }
        }
        true
    }
}
