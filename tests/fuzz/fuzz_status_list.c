/*
 * fuzz_status_list.c — the W3C status list decoder
 * (exchange_status_list_decode) on arbitrary text, as an encodedList from a
 * partner's status list credential arrives.
 *
 * The text is multibase, base64url and GZIP from anyone: decoding must end
 * in CV_OK or CV_EINVAL with a message naming encodedList, never a crash, a
 * leak, a read outside the input or an inflation past the bound. A list
 * that decodes must have at least the minimum length, answer for its last
 * index and refuse the one past it, and survive encoding and decoding again
 * bit for bit.
 */
#include "base/mem.h"
#include "exchange/status_list.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_round_trip(const struct exchange_status_list *list)
{
	struct exchange_status_list again = {NULL, 0};
	struct cv_buf text;
	int bit;

	if (list->nbits < EXCHANGE_STATUS_LIST_MIN_BITS ||
	    exchange_status_list_get(list, list->nbits - 1, &bit, NULL) != CV_OK ||
	    exchange_status_list_get(list, list->nbits, &bit, NULL) != CV_EINVAL)
		abort();
	cv_buf_init(&text);
	if (exchange_status_list_encode(list, &text, NULL) ||
	    exchange_status_list_decode(cv_buf_str(&text), &again, NULL) ||
	    again.nbits != list->nbits || memcmp(again.bits, list->bits, list->nbits / 8) != 0)
		abort();
	exchange_status_list_release(&again);
	cv_buf_release(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exchange_status_list list = {NULL, 0};
	struct cv_error err;
	char *text = cv_strndup((const char *)data, size);

	if (!text)
		return 0;
	cv_error_clear(&err);
	if (exchange_status_list_decode(text, &list, &err) == CV_OK)
		check_round_trip(&list);
	else if ((err.code != CV_EINVAL && err.code != CV_ENOMEM) || err.message[0] == '\0' ||
		 list.bits)
		abort();
	exchange_status_list_release(&list);
	cv_free(text);
	return 0;
}
