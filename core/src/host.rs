//! The host side of tensors: reading a result back from the device, and writing NaN (a metric
//! without a value) to JSON as `null`. Small helpers that training, evaluation and the snapshots
//! all use, so none of them imports another for them.

use crate::error::ForgetError;

/// Read a 1-D tensor back to the host without blocking (the WebGPU-safe path: a synchronous
/// read panics in the browser).
pub async fn read_f32(t: burn::tensor::Tensor<1>) -> Result<Vec<f32>, ForgetError> {
    t.into_data_async()
        .await
        .map_err(|e| ForgetError::Readback(format!("{e:?}")))?
        .try_into_vec_as::<f32>()
        .map_err(|e| ForgetError::Readback(format!("{e:?}")))
}

/// Serde for a metric that may be missing: NaN is written as `null` (JSON has no NaN) and read
/// back as NaN.
pub(crate) mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_nan() { s.serialize_none() } else { s.serialize_f64(*v) }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// The same for lists of metrics (one per layer): a layer without a value is `null`.
pub(crate) mod nan_as_null_each {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|x| if x.is_nan() { None } else { Some(*x) }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Ok(Vec::<Option<f64>>::deserialize(d)?.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
    }
}
