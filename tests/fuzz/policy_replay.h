/*
 * A main() for replaying a libFuzzer corpus without libFuzzer: every
 * regular file named on the command line, or inside a named directory
 * (sorted), goes to LLVMFuzzerTestOneInput once. Included by a harness
 * when built with FLOWPOL_FUZZ_REPLAY. Exits 0 when every input ran and at
 * least one did, else 1.
 */
#include <dirent.h>
#include <sys/stat.h>

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int ret = -1;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1)) != NULL &&
	    fread(buf, 1, (size_t)len, f) == (size_t)len) {
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		ret = 0;
	}
	free(buf);
	fclose(f);
	return ret;
}

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	int i, ran = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;
		char **names = NULL;
		size_t n = 0, k;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: cannot stat\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (replay_file(argv[i]) != 0)
				return 1;
			ran++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL)
			return 1;
		while ((de = readdir(d)) != NULL) {
			char **nn;

			if (de->d_name[0] == '.')
				continue;
			if ((nn = realloc(names, (n + 1) * sizeof(*nn))) == NULL)
				return 1;
			names = nn;
			if ((names[n] = strdup(de->d_name)) == NULL)
				return 1;
			n++;
		}
		closedir(d);
		qsort(names, n, sizeof(*names), replay_cmp);
		for (k = 0; k < n; k++) {
			size_t len = strlen(argv[i]) + strlen(names[k]) + 2;
			char *p = malloc(len);

			if (p == NULL)
				return 1;
			snprintf(p, len, "%s/%s", argv[i], names[k]);
			if (replay_file(p) != 0) {
				fprintf(stderr, "replay: %s: cannot read\n", p);
				return 1;
			}
			free(p);
			free(names[k]);
			ran++;
		}
		free(names);
	}
	printf("replayed %d inputs\n", ran);
	return ran > 0 ? 0 : 1;
}
