//! The order domain through its public API: parsing, repair, the discount table, and properties.

mod properties;
mod rejections;
mod repair;
mod table;
