//! The widget's parameters (`docs/widget.md#options`): colours and shapes only. Every
//! value is validated when it is built, so a rendering can put it into HTML and CSS safely.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A parameter that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    #[error("{value:?} is not a CSS colour (#rgb, #rrggbb, rgb(…), hsl(…) or a colour name)")]
    Colour { value: String },
    #[error("{value:?} is not a radius from 0 to 50")]
    Radius { value: String },
    #[error("{value:?} is not a loader style from 1 to 4")]
    Loader { value: String },
    #[error("unknown widget parameter {name:?}; known: {}", KNOWN.join(", "))]
    Unknown { name: String },
    #[error("widget parameter {name}: {source}")]
    Param { name: String, source: Box<OptionError> },
}

pub(crate) const KNOWN: [&str; 10] = [
    "couleurBackground",
    "borderRadiusTuile",
    "couleurText",
    "styleLoader",
    "couleurLoader",
    "couleurIcones",
    "borderRadiusIcones",
    "couleurCircleSucces",
    "couleurCircleWarning",
    "couleurCircleError",
];

/// The widget's parameters. [`Default`] follows Jeedom's light theme. They change colours and
/// shapes only, never which panel or circle is shown.
///
/// Deserializes from the widget's own parameter names (`couleurBackground = "#fff"`, …), every
/// one optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WidgetOptions {
    #[serde(rename = "couleurBackground")]
    pub background: CssColor,
    /// Corner radius of the tile, in px.
    #[serde(rename = "borderRadiusTuile")]
    pub tile_radius: Radius,
    #[serde(rename = "couleurText")]
    pub text: CssColor,
    #[serde(rename = "styleLoader")]
    pub loader_style: LoaderStyle,
    #[serde(rename = "couleurLoader")]
    pub loader: CssColor,
    /// The colour of the icon drawn inside each circle.
    #[serde(rename = "couleurIcones")]
    pub icons: CssColor,
    /// Corner radius of the circles, in % (50 draws a circle, 0 a square).
    #[serde(rename = "borderRadiusIcones")]
    pub icon_radius: Radius,
    #[serde(rename = "couleurCircleSucces")]
    pub success: CssColor,
    #[serde(rename = "couleurCircleWarning")]
    pub warning: CssColor,
    #[serde(rename = "couleurCircleError")]
    pub error: CssColor,
}

impl Default for WidgetOptions {
    fn default() -> Self {
        let c = |s: &str| CssColor(s.to_owned());
        WidgetOptions {
            background: c("#ffffff"),
            tile_radius: Radius(4),
            text: c("#4a4a4a"),
            loader_style: LoaderStyle::Ring,
            loader: c("#94ca02"),
            icons: c("#ffffff"),
            icon_radius: Radius(50),
            success: c("#5cb85c"),
            warning: c("#f0ad4e"),
            error: c("#d9534f"),
        }
    }
}

impl WidgetOptions {
    /// Builds options from `(name, value)` pairs as Jeedom stores the widget's parameters. An
    /// empty value keeps the default (Jeedom's behaviour for a parameter left blank); an unknown
    /// name or a bad value is an error naming the parameter.
    pub fn from_params<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, OptionError> {
        let mut o = WidgetOptions::default();
        for (name, value) in params {
            let value = value.trim();
            if !KNOWN.contains(&name) {
                return Err(OptionError::Unknown { name: name.to_owned() });
            }
            if value.is_empty() {
                continue;
            }
            let wrap = |e: OptionError| OptionError::Param {
                name: name.to_owned(),
                source: Box::new(e),
            };
            match name {
                "borderRadiusTuile" => o.tile_radius = value.parse().map_err(wrap)?,
                "borderRadiusIcones" => o.icon_radius = value.parse().map_err(wrap)?,
                "styleLoader" => o.loader_style = value.parse().map_err(wrap)?,
                _ => {
                    let colour = CssColor::parse(value).map_err(wrap)?;
                    match name {
                        "couleurBackground" => o.background = colour,
                        "couleurText" => o.text = colour,
                        "couleurLoader" => o.loader = colour,
                        "couleurIcones" => o.icons = colour,
                        "couleurCircleSucces" => o.success = colour,
                        "couleurCircleWarning" => o.warning = colour,
                        _ => o.error = colour,
                    }
                }
            }
        }
        Ok(o)
    }
}

/// A radius from 0 to 50 (px for the tile, % for the circles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Radius(u8);

impl Radius {
    pub const MAX: u8 = 50;

    pub fn new(n: u32) -> Result<Radius, OptionError> {
        match u8::try_from(n) {
            Ok(n) if n <= Self::MAX => Ok(Radius(n)),
            _ => Err(OptionError::Radius { value: n.to_string() }),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u32> for Radius {
    type Error = OptionError;
    fn try_from(n: u32) -> Result<Self, OptionError> {
        Radius::new(n)
    }
}

impl From<Radius> for u32 {
    fn from(r: Radius) -> u32 {
        u32::from(r.0)
    }
}

impl std::str::FromStr for Radius {
    type Err = OptionError;
    fn from_str(s: &str) -> Result<Self, OptionError> {
        let t = s.trim();
        let t = t.strip_suffix("px").or_else(|| t.strip_suffix('%')).unwrap_or(t);
        t.parse::<u32>()
            .ok()
            .and_then(|n| Radius::new(n).ok())
            .ok_or_else(|| OptionError::Radius { value: s.to_owned() })
    }
}

/// The spinner's shape on the in-progress panel (`styleLoader` 1 to 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum LoaderStyle {
    /// 1: a turning ring.
    #[default]
    Ring,
    /// 2: three bouncing dots.
    Dots,
    /// 3: four bars rising and falling.
    Bars,
    /// 4: a pulsing disc.
    Pulse,
}

impl LoaderStyle {
    pub const ALL: [LoaderStyle; 4] = [
        LoaderStyle::Ring,
        LoaderStyle::Dots,
        LoaderStyle::Bars,
        LoaderStyle::Pulse,
    ];

    /// The widget's number for this style.
    pub fn number(self) -> u32 {
        match self {
            LoaderStyle::Ring => 1,
            LoaderStyle::Dots => 2,
            LoaderStyle::Bars => 3,
            LoaderStyle::Pulse => 4,
        }
    }
}

impl TryFrom<u32> for LoaderStyle {
    type Error = OptionError;
    fn try_from(n: u32) -> Result<Self, OptionError> {
        match n {
            1 => Ok(LoaderStyle::Ring),
            2 => Ok(LoaderStyle::Dots),
            3 => Ok(LoaderStyle::Bars),
            4 => Ok(LoaderStyle::Pulse),
            _ => Err(OptionError::Loader { value: n.to_string() }),
        }
    }
}

impl From<LoaderStyle> for u32 {
    fn from(s: LoaderStyle) -> u32 {
        s.number()
    }
}

impl std::str::FromStr for LoaderStyle {
    type Err = OptionError;
    fn from_str(s: &str) -> Result<Self, OptionError> {
        s.trim()
            .parse::<u32>()
            .ok()
            .and_then(|n| LoaderStyle::try_from(n).ok())
            .ok_or_else(|| OptionError::Loader { value: s.to_owned() })
    }
}

/// A colour in CSS syntax, checked: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, one of the colour
/// functions (`rgb`, `rgba`, `hsl`, `hsla`, `hwb`, `lab`, `lch`, `oklab`, `oklch`) with 3 or 4
/// numeric arguments, or a CSS colour name. Nothing else can be built, so nothing else reaches a
/// style attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CssColor(String);

impl CssColor {
    pub fn parse(s: &str) -> Result<CssColor, OptionError> {
        let t = s.trim();
        if is_css_colour(t) {
            Ok(CssColor(t.to_ascii_lowercase()))
        } else {
            Err(OptionError::Colour { value: s.to_owned() })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CssColor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CssColor {
    type Error = OptionError;
    fn try_from(s: String) -> Result<Self, OptionError> {
        CssColor::parse(&s)
    }
}

impl From<CssColor> for String {
    fn from(c: CssColor) -> String {
        c.0
    }
}

impl std::str::FromStr for CssColor {
    type Err = OptionError;
    fn from_str(s: &str) -> Result<Self, OptionError> {
        CssColor::parse(s)
    }
}

fn is_css_colour(s: &str) -> bool {
    if let Some(hex) = s.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let lower = s.to_ascii_lowercase();
    if let Some(open) = lower.find('(') {
        let name = &lower[..open];
        let Some(args) = lower[open + 1..].strip_suffix(')') else {
            return false;
        };
        const FUNCTIONS: [&str; 9] = ["rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch"];
        if !FUNCTIONS.contains(&name) {
            return false;
        }
        let tokens: Vec<&str> = args.split([' ', ',', '/']).filter(|t| !t.is_empty()).collect();
        return matches!(tokens.len(), 3 | 4) && tokens.iter().all(|t| is_colour_arg(t));
    }
    COLOUR_NAMES.binary_search(&lower.as_str()).is_ok()
}

/// A number with an optional unit (`%`, `deg`, `rad`, `grad`, `turn`), or `none`.
fn is_colour_arg(t: &str) -> bool {
    if t == "none" {
        return true;
    }
    let num = ["%", "deg", "grad", "rad", "turn"]
        .iter()
        .find_map(|u| t.strip_suffix(u))
        .unwrap_or(t);
    let num = num.strip_prefix(['+', '-']).unwrap_or(num);
    let mut parts = num.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    (!int.is_empty() || frac.is_some_and(|f| !f.is_empty())) && digits(int) && frac.is_none_or(digits)
}

/// CSS colour keywords, sorted for binary search.
const COLOUR_NAMES: [&str; 150] = [
    "aliceblue",
    "antiquewhite",
    "aqua",
    "aquamarine",
    "azure",
    "beige",
    "bisque",
    "black",
    "blanchedalmond",
    "blue",
    "blueviolet",
    "brown",
    "burlywood",
    "cadetblue",
    "chartreuse",
    "chocolate",
    "coral",
    "cornflowerblue",
    "cornsilk",
    "crimson",
    "currentcolor",
    "cyan",
    "darkblue",
    "darkcyan",
    "darkgoldenrod",
    "darkgray",
    "darkgreen",
    "darkgrey",
    "darkkhaki",
    "darkmagenta",
    "darkolivegreen",
    "darkorange",
    "darkorchid",
    "darkred",
    "darksalmon",
    "darkseagreen",
    "darkslateblue",
    "darkslategray",
    "darkslategrey",
    "darkturquoise",
    "darkviolet",
    "deeppink",
    "deepskyblue",
    "dimgray",
    "dimgrey",
    "dodgerblue",
    "firebrick",
    "floralwhite",
    "forestgreen",
    "fuchsia",
    "gainsboro",
    "ghostwhite",
    "gold",
    "goldenrod",
    "gray",
    "green",
    "greenyellow",
    "grey",
    "honeydew",
    "hotpink",
    "indianred",
    "indigo",
    "ivory",
    "khaki",
    "lavender",
    "lavenderblush",
    "lawngreen",
    "lemonchiffon",
    "lightblue",
    "lightcoral",
    "lightcyan",
    "lightgoldenrodyellow",
    "lightgray",
    "lightgreen",
    "lightgrey",
    "lightpink",
    "lightsalmon",
    "lightseagreen",
    "lightskyblue",
    "lightslategray",
    "lightslategrey",
    "lightsteelblue",
    "lightyellow",
    "lime",
    "limegreen",
    "linen",
    "magenta",
    "maroon",
    "mediumaquamarine",
    "mediumblue",
    "mediumorchid",
    "mediumpurple",
    "mediumseagreen",
    "mediumslateblue",
    "mediumspringgreen",
    "mediumturquoise",
    "mediumvioletred",
    "midnightblue",
    "mintcream",
    "mistyrose",
    "moccasin",
    "navajowhite",
    "navy",
    "oldlace",
    "olive",
    "olivedrab",
    "orange",
    "orangered",
    "orchid",
    "palegoldenrod",
    "palegreen",
    "paleturquoise",
    "palevioletred",
    "papayawhip",
    "peachpuff",
    "peru",
    "pink",
    "plum",
    "powderblue",
    "purple",
    "rebeccapurple",
    "red",
    "rosybrown",
    "royalblue",
    "saddlebrown",
    "salmon",
    "sandybrown",
    "seagreen",
    "seashell",
    "sienna",
    "silver",
    "skyblue",
    "slateblue",
    "slategray",
    "slategrey",
    "snow",
    "springgreen",
    "steelblue",
    "tan",
    "teal",
    "thistle",
    "tomato",
    "transparent",
    "turquoise",
    "violet",
    "wheat",
    "white",
    "whitesmoke",
    "yellow",
    "yellowgreen",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_names_are_sorted() {
        assert!(COLOUR_NAMES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn css_colours() {
        for ok in [
            "#fff",
            "#FFFA",
            "#12ab34",
            "#12ab34cc",
            "rgb(1, 2, 3)",
            "rgba(1,2,3,0.5)",
            "rgb(1 2 3 / 50%)",
            "hsl(120deg 50% 40%)",
            "oklch(0.7 0.1 .5)",
            "Red",
            "transparent",
            " #abc ",
        ] {
            assert!(CssColor::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "#ff",
            "#ggg",
            "red;background:url(x)",
            "rgb(1,2)",
            "rgb(1,2,3",
            "url(x)",
            "expression(alert(1))",
            "var(--x)",
            "rgb(1,2,3)\" onload=\"x",
            "notacolour",
            "rgb(1,2,calc(3))",
            "rgb(a,b,c)",
        ] {
            assert!(CssColor::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn params_are_checked_and_named() {
        let o = WidgetOptions::from_params([
            ("couleurBackground", "#000"),
            ("styleLoader", "3"),
            ("borderRadiusIcones", ""),
        ])
        .expect("valid parameters");
        assert_eq!(o.background.as_str(), "#000");
        assert_eq!(o.loader_style, LoaderStyle::Bars);
        assert_eq!(o.icon_radius, Radius(50));
        let err = WidgetOptions::from_params([("borderRadiusTuile", "51")])
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("widget parameter borderRadiusTuile: \"51\" is not a radius from 0 to 50")
        );
        assert!(matches!(
            WidgetOptions::from_params([("couleurFond", "red")]),
            Err(OptionError::Unknown { .. })
        ));
        assert!(WidgetOptions::from_params([("styleLoader", "5")]).is_err());
    }

    #[test]
    fn options_deserialize_from_widget_names() {
        let o: Result<WidgetOptions, _> = toml::from_str("couleurCircleError = \"crimson\"\nstyleLoader = 4\n");
        let o = o.expect("valid TOML options");
        assert_eq!(o.error.as_str(), "crimson");
        assert_eq!(o.loader_style, LoaderStyle::Pulse);
        assert!(toml::from_str::<WidgetOptions>("couleurText = \"red}\"").is_err());
        assert!(toml::from_str::<WidgetOptions>("borderRadiusTuile = 99").is_err());
    }
}
