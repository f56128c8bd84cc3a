pub mod beats;
pub mod desk;
pub mod review;
pub mod settings;
pub mod sources;
pub mod stories;
pub mod writers;
