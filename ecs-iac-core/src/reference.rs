//! References to the resources of a stack: typed ([`Ref`]) and erased ([`AnyRef`]). A
//! reference is the edge of the dependency graph; it knows its resource's stack, position,
//! name and kind, and nothing else, so values ([`crate::value`]) can hold one without
//! knowing the stack.

use crate::kind::Kind;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// A typed handle to a resource added to a [`Stack`](crate::stack::Stack). Passing it to another resource's
/// builder is what makes the dependency edge. Cheap to clone.
pub struct Ref<T> {
    pub(crate) stack: u64,
    pub(crate) index: usize,
    pub(crate) name: Arc<str>,
    pub(crate) kind: Kind,
    _kind: PhantomData<fn() -> T>,
}

impl<T> Ref<T> {
    /// The reference [`crate::stack::Stack::add`] returns for the resource at `index`.
    pub(crate) fn new(stack: u64, index: usize, name: Arc<str>, kind: Kind) -> Ref<T> {
        Ref {
            stack,
            index,
            name,
            kind,
            _kind: PhantomData,
        }
    }
}

impl<T> Clone for Ref<T> {
    fn clone(&self) -> Self {
        Ref {
            stack: self.stack,
            index: self.index,
            name: self.name.clone(),
            kind: self.kind,
            _kind: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ref<{}>({})", self.kind, self.name)
    }
}

impl<T> PartialEq for Ref<T> {
    fn eq(&self, other: &Self) -> bool {
        self.stack == other.stack && self.index == other.index
    }
}

impl<T> Eq for Ref<T> {}

impl<T> Ref<T> {
    /// The logical name of the referenced resource.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same reference without its type, for heterogeneous lists of dependencies.
    pub fn erase(&self) -> AnyRef {
        AnyRef {
            stack: self.stack,
            index: self.index,
            name: self.name.clone(),
            kind: self.kind,
        }
    }
}

/// A reference to a resource of any kind.
#[derive(Clone, PartialEq, Eq)]
pub struct AnyRef {
    pub(crate) stack: u64,
    pub(crate) index: usize,
    pub(crate) name: Arc<str>,
    pub(crate) kind: Kind,
}

impl AnyRef {
    /// The logical name of the referenced resource.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The resource kind, e.g. `ecs.service`.
    pub fn kind(&self) -> Kind {
        self.kind
    }
}

impl fmt::Debug for AnyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ref<{}>({})", self.kind, self.name)
    }
}
