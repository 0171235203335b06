/*
 * Replays a saved fuzz corpus through a harness in an ordinary build (and
 * under ASan/UBSan in the sanitizer run), as SQLite's fuzzcheck does:
 *   fuzz_replay_X DIR...   runs every file of each DIR once, in name order.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc(n > 0 ? (size_t)n : 1)) == NULL) {
		fprintf(stderr, "fuzz_replay: %s: cannot read\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "fuzz_replay: %s: short read\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* An exact-size copy, so that an over-read is caught by ASan. */
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct dirent **ents;
	char path[4096];
	int i, j, n, count = 0;

	for (i = 1; i < argc; i++) {
		if ((n = scandir(argv[i], &ents, NULL, alphasort)) < 0) {
			fprintf(stderr, "fuzz_replay: %s: cannot list\n", argv[i]);
			return 1;
		}
		for (j = 0; j < n; j++) {
			if (ents[j]->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", argv[i],
				    ents[j]->d_name);
				if (run_file(path) < 0)
					return 1;
				count++;
			}
			free(ents[j]);
		}
		free(ents);
	}
	printf("replayed %d inputs\n", count);
	return count > 0 ? 0 : 1;
}
