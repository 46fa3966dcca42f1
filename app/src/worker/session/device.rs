//! Which device computes, and surviving the loss of WebGPU.
//!
//! WebGPU can fail in three places: creating the device (refused, or out of memory), losing it
//! mid-run (`device.lost`: a driver reset, a GPU that goes away), and a shader or pipeline error.
//! cubecl marks a lost device poisoned and every readback on it then returns an error; the run's
//! steps and evaluations all end in a readback, so a failure surfaces as
//! [`ForgetError::Readback`] on the WebGPU backend. The session then moves to the CPU: the same
//! run configured afresh there, resumed from the host [`Checkpoint`] kept after the last
//! evaluation (a lost device cannot be read any more), and says so.
//!
//! [`Checkpoint`]: forgetlab_core::run::Checkpoint

use burn::tensor::Device;
use forgetlab_core::ForgetError;

use super::{ActiveRun, Session};
use crate::protocol::{Backend, Event, Fault, Phase};
use crate::worker::{backend, post};

const CPU_DETAIL: &str = "burn flex, single-threaded wasm";

impl Session {
    /// Use `wanted`, or the CPU (with a notice) when WebGPU cannot be had. The run, if any, is
    /// configured afresh on the new device.
    pub(super) async fn switch_backend(&mut self, wanted: Backend) -> Result<(), String> {
        self.playing = false;
        let (backend, device, detail) = match wanted {
            Backend::Cpu => (Backend::Cpu, Device::flex(), CPU_DETAIL.to_string()),
            Backend::Webgpu => match backend::webgpu_adapter().await {
                Err(why) => {
                    post(Event::Notice(format!(
                        "WebGPU is not available: {why}. Running on the CPU."
                    )));
                    (Backend::Cpu, Device::flex(), CPU_DETAIL.to_string())
                }
                Ok(adapter) => match self.webgpu_device().await {
                    Ok(device) => (Backend::Webgpu, device, adapter),
                    Err(why) => {
                        post(Event::Notice(format!(
                            "WebGPU's device could not be created ({why}). Running on the CPU."
                        )));
                        (Backend::Cpu, Device::flex(), CPU_DETAIL.to_string())
                    }
                },
            },
        };
        self.backend = backend;
        self.device = Some(device);
        self.checkpoint = None;
        post(Event::BackendReady { backend, detail });
        self.reconfigure().await
    }

    /// burn's WebGPU device: made once per worker (burn cannot initialise it twice), never again
    /// after it was lost.
    async fn webgpu_device(&mut self) -> Result<Device, String> {
        if let Some(why) = &self.webgpu_lost {
            return Err(format!("it was lost earlier in this tab: {why}"));
        }
        if self.fault == Some(Fault::WebgpuDevice) {
            return Err("the test switch fault=webgpu-device refused it".into());
        }
        if self.webgpu.is_none() {
            self.webgpu = Some(backend::init_webgpu().await?);
        }
        Ok(self.webgpu.as_ref().map(|w| w.device.clone()).expect("just set"))
    }

    /// Whether `error` means the WebGPU device failed (rather than the run: a divergence, a
    /// setting).
    pub(super) fn device_failed(&self, error: &ForgetError) -> bool {
        self.backend == Backend::Webgpu && matches!(error, ForgetError::Readback(_))
    }

    /// The test switches that fire before step `step` (1-based; 0 before the first evaluation of
    /// a configured run): a device loss, or a panic.
    pub(super) async fn inject_fault(&mut self, step: usize) {
        match self.fault {
            Some(Fault::Panic { at_step }) if at_step == step => {
                panic!("the test switch fault=panic@{step} crashed the worker on purpose")
            }
            Some(Fault::DeviceLost { at_step }) if at_step == step => {
                if let (Backend::Webgpu, Some(webgpu)) = (self.backend, &self.webgpu) {
                    self.fault = None;
                    webgpu.lose().await;
                }
            }
            _ => {}
        }
    }

    /// WebGPU failed with `why`: an unlearning run continues on the CPU from the last checkpoint,
    /// a continual run starts again there from step 0, both with the same settings; a playing
    /// run keeps playing.
    pub(super) async fn fall_back_to_cpu(&mut self, why: String) -> Result<(), String> {
        self.webgpu = None;
        self.webgpu_lost = Some(why.clone());
        self.backend = Backend::Cpu;
        self.device = Some(Device::flex());
        post(Event::BackendReady { backend: Backend::Cpu, detail: CPU_DETAIL.to_string() });
        let old = match self.active.take() {
            None => {
                post(Event::Notice(format!("WebGPU failed ({why}). Running on the CPU.")));
                return Ok(());
            }
            Some(learn @ ActiveRun::Learn(_)) => {
                post(Event::Notice(format!(
                    "WebGPU failed ({why}). The continual run starts again on the CPU from step 0, \
                        with the same settings."
                )));
                let playing = self.playing;
                self.active = Some(learn);
                Box::pin(self.reconfigure()).await?;
                self.playing = playing;
                if playing {
                    post(Event::Phase(Phase::Running));
                }
                return Ok(());
            }
            Some(ActiveRun::Forget(run)) => run,
        };
        let mut run = self.build_run(old.config.clone())?;
        drop(old);
        let step = match self.checkpoint.take() {
            Some(checkpoint) => {
                let step = checkpoint.step;
                run.resume(checkpoint).map_err(|e| e.to_string())?;
                step
            }
            None => 0,
        };
        self.active = Some(ActiveRun::Forget(run));
        post(Event::Notice(format!(
            "WebGPU failed ({why}). The run continues on the CPU from step {step}, the last \
                evaluated weights, with the same settings; AdamW's moment estimates start afresh."
        )));
        self.try_evaluate().await.map_err(|e| e.to_string())
    }
}
