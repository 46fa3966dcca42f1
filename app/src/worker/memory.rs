//! How much memory the worker holds: its wasm memory (reserved; it grows, never shrinks) and the
//! bytes live in it (allocated, not yet freed). A leak shows in the live bytes at once, one
//! allocation at a time, while the reserved size grows only in jumps when the allocator runs out.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

static LIVE: AtomicU64 = AtomicU64::new(0);

/// The system allocator, counting the bytes it has handed out and not had back. The worker
/// program registers it (`#[global_allocator]` in worker_main.rs); the page does not.
pub struct CountingAllocator;

// SAFETY: every call is forwarded unchanged to `System`; only a counter is added.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
            LIVE.fetch_add(new_size as u64, Ordering::Relaxed);
        }
        p
    }
}

/// The worker's memory now, for [`crate::protocol::Event::EngineMemory`].
pub fn engine_memory() -> crate::protocol::Event {
    crate::protocol::Event::EngineMemory {
        reserved: core::arch::wasm32::memory_size::<0>() as u64 * 65536,
        live: LIVE.load(Ordering::Relaxed),
    }
}
