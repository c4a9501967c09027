//! Pure view-model helpers, apart from the components and tested natively:
//! the page's and the stage's geometry ([`layout`]), the level of detail of
//! the environment grid ([`lod`]), the particles sampled from the
//! happenings ([`particles`]), the per-frame time budget ([`budget`]), the
//! virtual clock ([`clock`]), the charts' samples ([`history`]) and the
//! stage's captions ([`narration`]).

pub mod budget;
pub mod clock;
pub mod history;
pub mod layout;
pub mod lod;
pub mod narration;
pub mod particles;
