/* Writes +Inf into one value of a 2-D float dataset, for the train test's non-finite guard:
 *   poison_row FILE.h5 DATASET ROW COLUMN */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: poison_row FILE.h5 DATASET ROW COLUMN\n");
        return 2;
    }
    hsize_t start[2] = {strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10)}, count[2] = {1, 1};
    float value = INFINITY;
    hid_t file = H5Fopen(argv[1], H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t dset = file < 0 ? -1 : H5Dopen2(file, argv[2], H5P_DEFAULT);
    hid_t space = dset < 0 ? -1 : H5Dget_space(dset);
    hid_t one = H5Screate_simple(2, count, NULL);
    int ok = space >= 0 && H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
             H5Dwrite(dset, H5T_NATIVE_FLOAT, one, space, H5P_DEFAULT, &value) >= 0;
    H5Sclose(one);
    if (space >= 0) H5Sclose(space);
    if (dset >= 0) H5Dclose(dset);
    if (file >= 0) H5Fclose(file);
    return ok ? 0 : 1;
}
