/* libFuzzer target: the CIF reader from memory (COD parser, line locator, symmetry expansion). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lc_structure_list list;
    lc_error err;
    int status = lc_structure_list_read_buffer((const char *)data, size, "fuzz.cif", LC_FORMAT_CIF, NULL, &list, &err);
    fuzz_check_result(status, &list, &err, "fuzz.cif");
    return 0;
}
