// Everything is in the header, inline; a C target needs a source file of its own.
#include "CQuickstepClock.h"
