//! Files the page hands to the user: metrics as CSV/JSON, a chart as PNG, the model's files.
//! The browser's download mechanics (Blob, object URL, an `<a download>` click; SVG drawn on a
//! canvas) are a few lines of JavaScript, kept here as an inline snippet.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function download_bytes(name, mime, bytes) {
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function copy_text(text) {
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
}

export function chart_png(chart, name) {
  const svg = document.querySelector(`[data-chart="${chart}"] svg`);
  if (!svg) return false;
  const box = svg.viewBox.baseVal;
  const clone = svg.cloneNode(true);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', box.width);
  clone.setAttribute('height', box.height);
  // Inline the page's chart styles: a standalone SVG image does not see the stylesheet.
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  style.textContent = '.grid{stroke:#dee2e6;stroke-width:1}.tick{font:9px sans-serif;fill:#868e96}';
  clone.prepend(style);
  const img = new Image();
  img.onload = () => {
    const scale = 3;
    const canvas = document.createElement('canvas');
    canvas.width = box.width * scale;
    canvas.height = box.height * scale;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    canvas.toBlob((blob) => blob.arrayBuffer().then((b) => download_bytes(name, 'image/png', new Uint8Array(b))), 'image/png');
  };
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(clone));
  return true;
}
"#)]
extern "C" {
    /// Offer `bytes` as a file called `name`.
    pub fn download_bytes(name: &str, mime: &str, bytes: &[u8]);
    /// Put `text` on the clipboard (where the browser allows it).
    pub fn copy_text(text: &str);
    /// Offer the chart `[data-chart=chart]` as a PNG called `name` (false: no such chart).
    pub fn chart_png(chart: &str, name: &str) -> bool;
}

pub fn download_text(name: &str, mime: &str, text: &str) {
    download_bytes(name, mime, text.as_bytes());
}
