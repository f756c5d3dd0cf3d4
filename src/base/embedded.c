/* embedded.c — lookup in the generated table (see embedded.h). */
#include "base/embedded.h"

#include <string.h>

const struct cv_embedded_file *cv_embedded_find(const char *name)
{
	for (const struct cv_embedded_file *f = cv_embedded_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
