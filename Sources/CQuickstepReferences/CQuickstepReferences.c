#include "CQuickstepReferences.h"

void *swift_nonatomic_retain(void *object);

void quickstep_retain_unshared(void *object) {
    swift_nonatomic_retain(object);
}
