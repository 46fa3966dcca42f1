//! Picking the compute device. WebGPU is asked for an adapter in JavaScript first: burn panics
//! when there is none, and a panic in the worker would lose the session.

use burn::tensor::Device;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The adapter's `maxBufferSize` and `maxStorageBufferBindingSize`: the largest buffer burn may
/// make (model::memory checks a model against them before loading it).
pub async fn webgpu_limits() -> Result<(u64, u64), String> {
    let limits = get(&request_adapter().await?, "limits");
    let read = |k: &str| get(&limits, k).as_f64().map(|v| v as u64);
    match (read("maxBufferSize"), read("maxStorageBufferBindingSize")) {
        (Some(buffer), Some(binding)) => Ok((buffer, binding)),
        _ => Err("the WebGPU adapter does not report its buffer limits".into()),
    }
}

/// A short description of the browser's WebGPU adapter, or why there is none.
pub async fn webgpu_adapter() -> Result<String, String> {
    let adapter = request_adapter().await?;
    let info = get(&adapter, "info");
    let text = |k: &str| get(&info, k).as_string().unwrap_or_default();
    let mut parts: Vec<String> = [text("vendor"), text("architecture"), text("description")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if get(&info, "isFallbackAdapter").is_truthy() || get(&adapter, "isFallbackAdapter").is_truthy()
    {
        parts.push("software fallback adapter".into());
    }
    Ok(if parts.is_empty() { "adapter".into() } else { parts.join(", ") })
}

/// `navigator.gpu.requestAdapter()`, or why there is none.
async fn request_adapter() -> Result<JsValue, String> {
    let gpu = get(&get(&js_sys::global(), "navigator"), "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser has no WebGPU (navigator.gpu is missing)".into());
    }
    let request: Function = get(&gpu, "requestAdapter")
        .dyn_into()
        .map_err(|_| "navigator.gpu.requestAdapter is not a function".to_string())?;
    let promise: Promise = request
        .call0(&gpu)
        .map_err(|_| "requestAdapter() threw".to_string())?
        .dyn_into()
        .map_err(|_| "requestAdapter() gave no promise".to_string())?;
    let adapter =
        JsFuture::from(promise).await.map_err(|_| "requestAdapter() failed".to_string())?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("WebGPU gave no adapter (no GPU, or WebGPU is disabled)".into());
    }
    Ok(adapter)
}

/// burn's WebGPU device, with the wgpu handles it runs on (to destroy it for the fault test).
#[derive(Clone)]
pub struct WebGpu {
    pub device: Device,
    setup: burn::tensor::wgpu::WgpuSetup,
}

/// Initialise burn's WebGPU runtime. Once per worker: burn cannot initialise it twice. cubecl
/// watches the device: once it is lost, every readback returns an error (never a panic), which
/// the session turns into a move to the CPU.
pub async fn init_webgpu() -> Result<WebGpu, String> {
    let (device, setup) = Device::wgpu_options()
        .init_with_setup_async()
        .await
        .map_err(|e| format!("WebGPU initialisation failed: {e:?}"))?;
    Ok(WebGpu { device, setup })
}

impl WebGpu {
    /// Destroy the device, as a driver reset would: WebGPU resolves `device.lost`. The test
    /// switch `fault=device-lost@N` calls this.
    pub async fn lose(&self) {
        self.setup.device.destroy();
        // `device.lost` resolves on a later task: let cubecl's callback see it.
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
}
